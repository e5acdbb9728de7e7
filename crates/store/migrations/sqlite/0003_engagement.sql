-- Engagement and public consultation (issue 5): each footprint's stakeholder groups, the log of
-- engagement activities, documents (evidence and background papers), consultations with their
-- options, questions and responses, and the voluntary and community sector directory.

CREATE TABLE stakeholder_groups (
    id           INTEGER PRIMARY KEY,
    footprint_id INTEGER NOT NULL REFERENCES footprints (id),
    name         TEXT NOT NULL,
    parent_id    INTEGER REFERENCES stakeholder_groups (id),
    position     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX stakeholder_groups_name ON stakeholder_groups (footprint_id, lower(name));

INSERT INTO stakeholder_groups (footprint_id, name, position, created_at)
SELECT f.id, g.name, g.position, f.created_at FROM footprints f CROSS JOIN (
    SELECT 'Patients and the public' AS name, 1 AS position
    UNION ALL SELECT 'Healthwatch', 2
    UNION ALL SELECT 'Council officers', 3
    UNION ALL SELECT 'Elected members', 4
    UNION ALL SELECT 'Health and wellbeing board', 5
    UNION ALL SELECT 'Overview and scrutiny committee', 6
    UNION ALL SELECT 'GPs and primary care', 7
    UNION ALL SELECT 'Clinicians', 8
    UNION ALL SELECT 'Frontline staff', 9
    UNION ALL SELECT 'Foundation trust governors', 10
    UNION ALL SELECT 'Voluntary and community sector', 11
    UNION ALL SELECT 'NHS providers', 12
    UNION ALL SELECT 'CCGs', 13
) g;

-- A document is a file held here or a link elsewhere.
CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    consultation_id INTEGER,
    title           TEXT NOT NULL,
    url             TEXT,
    file_name       TEXT,
    content_type    TEXT,
    size            INTEGER NOT NULL DEFAULT 0,
    content         BLOB,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX documents_consultation ON documents (consultation_id);

CREATE TABLE engagement_activities (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    held_on         TEXT NOT NULL,
    title           TEXT NOT NULL,
    method          TEXT NOT NULL,
    run_by          TEXT NOT NULL,
    depth           TEXT NOT NULL CHECK (depth IN ('inform', 'consult', 'involve', 'collaborate', 'empower')),
    areas           TEXT NOT NULL,
    evidence_url    TEXT NOT NULL DEFAULT '',
    evidence_id     INTEGER REFERENCES documents (id),
    what_changed    TEXT NOT NULL DEFAULT '',
    consultation_id INTEGER,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX engagement_activities_footprint ON engagement_activities (footprint_id, held_on);

CREATE TABLE activity_groups (
    activity_id INTEGER NOT NULL REFERENCES engagement_activities (id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL REFERENCES stakeholder_groups (id),
    people      INTEGER NOT NULL DEFAULT 0 CHECK (people >= 0),
    PRIMARY KEY (activity_id, group_id)
);

-- The day the options for a proposed change (a priority or initiative) closed.
CREATE TABLE options_closed (
    footprint_id INTEGER NOT NULL REFERENCES footprints (id),
    area_id      TEXT NOT NULL,
    closed_on    TEXT NOT NULL,
    PRIMARY KEY (footprint_id, area_id)
);

CREATE TABLE consultations (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    area_id         TEXT NOT NULL DEFAULT '',
    formal          INTEGER NOT NULL DEFAULT 1,
    opens_on        TEXT NOT NULL,
    closes_on       TEXT NOT NULL,
    min_weeks       INTEGER NOT NULL DEFAULT 12,
    published_at    INTEGER,
    plan_number     INTEGER,
    decided_on      TEXT,
    you_said_we_did TEXT NOT NULL DEFAULT '',
    responded_on    TEXT,
    revision        INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX consultations_footprint ON consultations (footprint_id);

CREATE TABLE consultation_options (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    evidence        TEXT NOT NULL DEFAULT '',
    effect          TEXT NOT NULL,
    result          TEXT
);

CREATE TABLE consultation_questions (
    id              INTEGER PRIMARY KEY,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('free-text', 'single', 'multiple', 'ranking')),
    prompt          TEXT NOT NULL,
    hint            TEXT NOT NULL DEFAULT '',
    required        INTEGER NOT NULL DEFAULT 0,
    choices         TEXT NOT NULL DEFAULT '[]'
);

-- A response is never deleted or counted twice: one row per (consultation, idempotency key).
CREATE TABLE consultation_responses (
    id                INTEGER PRIMARY KEY,
    consultation_id   INTEGER NOT NULL REFERENCES consultations (id),
    idempotency_key   TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    answers           TEXT NOT NULL,
    respondent_name   TEXT NOT NULL DEFAULT '',
    respondent_email  TEXT NOT NULL DEFAULT '',
    on_behalf_of      TEXT NOT NULL DEFAULT '',
    consent           INTEGER NOT NULL DEFAULT 0,
    moderation        TEXT NOT NULL DEFAULT 'pending' CHECK (moderation IN ('pending', 'published', 'withheld')),
    published_answers TEXT,
    client_key        TEXT NOT NULL,
    UNIQUE (consultation_id, idempotency_key)
);
CREATE INDEX consultation_responses_client ON consultation_responses (client_key, received_at);

CREATE TABLE response_tags (
    response_id INTEGER NOT NULL REFERENCES consultation_responses (id),
    question_id INTEGER NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id, tag)
);

-- The voluntary and community sector directory: what an organisation does, where, and the
-- council for voluntary service (CVS) that links it.
ALTER TABLE organisations ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN area_served TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN cvs_id INTEGER REFERENCES organisations (id);

CREATE TABLE join_requests (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    organisation_id INTEGER REFERENCES organisations (id),
    organisation    TEXT NOT NULL,
    contact_name    TEXT NOT NULL,
    contact_email   TEXT NOT NULL,
    message         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT
);

CREATE TABLE engagement_network (
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    joined_at       INTEGER NOT NULL,
    PRIMARY KEY (footprint_id, organisation_id)
);
