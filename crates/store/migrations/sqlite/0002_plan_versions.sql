-- Plan versions (decision 0006): one draft per footprint, the working copy, and numbered
-- snapshots, submitted or published, that no one can change.

CREATE TABLE plan_versions (
    id           INTEGER PRIMARY KEY,
    footprint_id INTEGER NOT NULL REFERENCES footprints (id),
    number       INTEGER,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'published')),
    document     TEXT NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    UNIQUE (footprint_id, number)
);
CREATE UNIQUE INDEX plan_versions_one_draft ON plan_versions (footprint_id) WHERE status = 'draft';

CREATE TRIGGER plan_versions_snapshots_are_fixed BEFORE UPDATE ON plan_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted or published plan version cannot be changed');
END;
CREATE TRIGGER plan_versions_snapshots_stay BEFORE DELETE ON plan_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted or published plan version cannot be deleted');
END;
