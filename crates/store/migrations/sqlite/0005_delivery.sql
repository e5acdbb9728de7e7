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

-- Notifications: how often each person wants a digest of what awaits them, and the digests
-- sent (one per person per day at most, however often the digest job runs).
ALTER TABLE users ADD COLUMN digest TEXT NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'never'));

CREATE TABLE digests_sent (
    user_id INTEGER NOT NULL REFERENCES users (id),
    sent_on TEXT NOT NULL,
    items   INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, sent_on)
);
