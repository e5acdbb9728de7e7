-- Governance (issue 6): each footprint's decision-making bodies, their members and rules,
-- meetings, proposals and members' responses, final decisions (which no one can change: a later
-- decision supersedes one by linking to it), and conditions and actions with owners and dates.

CREATE TABLE bodies (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    name            TEXT NOT NULL,
    form            TEXT NOT NULL CHECK (form IN ('advisory-group', 'committees-in-common', 'joint-committee', 'lead-provider')),
    purpose         TEXT NOT NULL DEFAULT '',
    rule            TEXT NOT NULL,
    quorum          INTEGER NOT NULL CHECK (quorum >= 1),
    revision        INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX bodies_name ON bodies (footprint_id, lower(name));

CREATE TABLE body_members (
    id                INTEGER PRIMARY KEY,
    body_id           INTEGER NOT NULL REFERENCES bodies (id),
    organisation_id   INTEGER NOT NULL REFERENCES organisations (id),
    representative_id INTEGER REFERENCES users (id),
    deputy_id         INTEGER REFERENCES users (id),
    added_at          INTEGER NOT NULL,
    left_at           INTEGER,
    UNIQUE (body_id, organisation_id)
);

-- On a proposal about `subject`, the member must consent for it to be carried.
CREATE TABLE required_consents (
    body_id   INTEGER NOT NULL REFERENCES bodies (id),
    subject   TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES body_members (id),
    PRIMARY KEY (body_id, subject, member_id)
);

CREATE TABLE meetings (
    id         INTEGER PRIMARY KEY,
    body_id    INTEGER NOT NULL REFERENCES bodies (id),
    held_on    TEXT NOT NULL,
    title      TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    agenda     TEXT NOT NULL DEFAULT '',
    minutes    TEXT NOT NULL DEFAULT '',
    confidential_minutes TEXT NOT NULL DEFAULT '',
    closed_at  INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX meetings_body ON meetings (body_id, held_on);

CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    footprint_id  INTEGER NOT NULL REFERENCES footprints (id),
    body_id       INTEGER NOT NULL REFERENCES bodies (id),
    meeting_id    INTEGER NOT NULL REFERENCES meetings (id),
    proposal_id   INTEGER NOT NULL UNIQUE,
    decided_on    TEXT NOT NULL,
    title         TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('carried', 'not-carried', 'blocked', 'consent-missing')),
    record        TEXT NOT NULL,
    confidential  INTEGER NOT NULL DEFAULT 0,
    supersedes_id INTEGER REFERENCES decisions (id),
    pack          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX decisions_footprint ON decisions (footprint_id, decided_on);
CREATE UNIQUE INDEX decisions_superseded_once ON decisions (supersedes_id) WHERE supersedes_id IS NOT NULL;
CREATE TRIGGER decisions_are_final BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'a final decision cannot be edited; record a later decision that supersedes it');
END;
CREATE TRIGGER decisions_stay BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'a final decision cannot be deleted; record a later decision that supersedes it');
END;

CREATE TABLE proposals (
    id                 INTEGER PRIMARY KEY,
    footprint_id       INTEGER NOT NULL REFERENCES footprints (id),
    body_id            INTEGER NOT NULL REFERENCES bodies (id),
    meeting_id         INTEGER REFERENCES meetings (id),
    title              TEXT NOT NULL,
    what               TEXT NOT NULL,
    why                TEXT NOT NULL,
    options_considered TEXT NOT NULL DEFAULT '',
    subjects           TEXT NOT NULL DEFAULT '[]',
    priorities         TEXT NOT NULL DEFAULT '[]',
    initiatives        TEXT NOT NULL DEFAULT '[]',
    effect             TEXT NOT NULL DEFAULT '{"kind":"not-modelled"}',
    affected_groups    TEXT NOT NULL DEFAULT '[]',
    reconfiguration    INTEGER NOT NULL DEFAULT 0,
    evidence           TEXT NOT NULL DEFAULT '{}',
    confidential       INTEGER NOT NULL DEFAULT 0,
    supersedes_id      INTEGER REFERENCES decisions (id),
    stress             TEXT,
    note               TEXT NOT NULL DEFAULT '',
    revision           INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    created_by         TEXT NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX proposals_footprint ON proposals (footprint_id);
CREATE INDEX proposals_meeting ON proposals (meeting_id);

CREATE TABLE proposal_responses (
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id),
    member_id    INTEGER NOT NULL REFERENCES body_members (id),
    response     TEXT NOT NULL CHECK (response IN ('consent', 'object', 'abstain', 'block')),
    reason       TEXT NOT NULL DEFAULT '',
    responded_by INTEGER NOT NULL REFERENCES users (id),
    responded_at INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);

-- A condition of a decision or an action (from a decision or standing), owned by an
-- organisation and, where named, a person.
CREATE TABLE actions (
    id              INTEGER PRIMARY KEY,
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    decision_id     INTEGER REFERENCES decisions (id),
    kind            TEXT NOT NULL CHECK (kind IN ('condition', 'action')),
    title           TEXT NOT NULL,
    organisation_id INTEGER REFERENCES organisations (id),
    owner_id        INTEGER REFERENCES users (id),
    due_on          TEXT NOT NULL,
    done_on         TEXT,
    note            TEXT NOT NULL DEFAULT '',
    revision        INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX actions_footprint ON actions (footprint_id, due_on);

-- Governance papers: terms of reference and memoranda of understanding (of a body), a
-- meeting's papers and minutes, a proposal's papers. A confidential paper is for members and
-- national assurance only.
ALTER TABLE documents ADD COLUMN body_id INTEGER REFERENCES bodies (id);
ALTER TABLE documents ADD COLUMN meeting_id INTEGER REFERENCES meetings (id);
ALTER TABLE documents ADD COLUMN proposal_id INTEGER REFERENCES proposals (id);
ALTER TABLE documents ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0;
