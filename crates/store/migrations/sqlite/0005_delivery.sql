-- Delivery (issue 6): where each milestone of the plan stands, recorded as delivery goes on
-- (the plan's versions hold the milestones themselves), and the savings each initiative has
-- brought in by plan year.

CREATE TABLE milestone_status (
    footprint_id  INTEGER NOT NULL REFERENCES footprints (id),
    initiative_id TEXT NOT NULL,
    milestone     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('not-started', 'on-track', 'at-risk', 'late', 'done')),
    note          TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT NOT NULL,
    PRIMARY KEY (footprint_id, initiative_id, milestone)
);

CREATE TABLE benefits_realised (
    footprint_id  INTEGER NOT NULL REFERENCES footprints (id),
    initiative_id TEXT NOT NULL,
    year          TEXT NOT NULL,
    amount        REAL NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    recorded_at   INTEGER NOT NULL,
    recorded_by   TEXT NOT NULL,
    PRIMARY KEY (footprint_id, initiative_id, year)
);
