-- National guidance and submissions (issue 7): versions of what footprints are asked for, each
-- requirement with its deadline (a published version cannot change); each footprint's
-- checklist and what its people last saw; plan versions submitted against a requirement, and
-- national assurance's feedback and rating on each (kept, newest last).

CREATE TABLE guidance_versions (
    id           INTEGER PRIMARY KEY,
    number       INTEGER NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    published_on TEXT,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
);

-- One draft at a time.
CREATE UNIQUE INDEX guidance_one_draft ON guidance_versions ((published_on IS NULL)) WHERE published_on IS NULL;

CREATE TABLE requirements (
    id          INTEGER PRIMARY KEY,
    guidance_id INTEGER NOT NULL REFERENCES guidance_versions (id),
    key         TEXT NOT NULL,
    title       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    due_on      TEXT,
    submission  INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL,
    UNIQUE (guidance_id, key)
);

CREATE TRIGGER guidance_published_is_fixed BEFORE UPDATE ON guidance_versions
WHEN OLD.published_on IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'published guidance cannot be changed: publish a new version');
END;
CREATE TRIGGER guidance_published_stays BEFORE DELETE ON guidance_versions
WHEN OLD.published_on IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'published guidance cannot be deleted');
END;
CREATE TRIGGER requirements_fixed_insert BEFORE INSERT ON requirements
WHEN (SELECT published_on FROM guidance_versions WHERE id = NEW.guidance_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'published guidance cannot be changed: publish a new version');
END;
CREATE TRIGGER requirements_fixed_update BEFORE UPDATE ON requirements
WHEN (SELECT published_on FROM guidance_versions WHERE id = OLD.guidance_id) IS NOT NULL
  OR (SELECT published_on FROM guidance_versions WHERE id = NEW.guidance_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'published guidance cannot be changed: publish a new version');
END;
CREATE TRIGGER requirements_fixed_delete BEFORE DELETE ON requirements
WHEN (SELECT published_on FROM guidance_versions WHERE id = OLD.guidance_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'published guidance cannot be changed: publish a new version');
END;

CREATE TABLE checklist (
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    requirement_key TEXT NOT NULL,
    done_on         TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT NOT NULL,
    PRIMARY KEY (footprint_id, requirement_key)
);

CREATE TABLE guidance_seen (
    user_id         INTEGER NOT NULL REFERENCES users (id),
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    guidance_number INTEGER NOT NULL,
    seen_at         INTEGER NOT NULL,
    PRIMARY KEY (user_id, footprint_id)
);

CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    plan_version_id INTEGER NOT NULL REFERENCES plan_versions (id),
    requirement_key TEXT NOT NULL,
    guidance_number INTEGER NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    submitted_at    INTEGER NOT NULL,
    submitted_by    TEXT NOT NULL
);
CREATE INDEX submissions_footprint ON submissions (footprint_id, submitted_at);

CREATE TABLE submission_feedback (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    rating        TEXT NOT NULL CHECK (rating IN ('outstanding', 'advanced', 'making-progress', 'needs-most-improvement')),
    reasons       TEXT NOT NULL,
    feedback      TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX submission_feedback_submission ON submission_feedback (submission_id);

-- The national stress test run in the app: one at a time, its progress written as it goes, its
-- summary kept so that each run can be compared with the one before.
CREATE TABLE national_runs (
    id           INTEGER PRIMARY KEY,
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    samples      INTEGER NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    result       TEXT,
    error        TEXT NOT NULL DEFAULT '',
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    started_by   TEXT NOT NULL
);
CREATE UNIQUE INDEX national_runs_one_running ON national_runs (status) WHERE status = 'running';
