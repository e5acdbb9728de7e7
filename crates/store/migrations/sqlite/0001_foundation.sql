-- Footprint's foundation: footprints, organisations, people, roles, sessions, the audit log.
-- Times are milliseconds since 1970 (UTC); flags are 0 or 1, the same on both backends.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE footprints (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    region     TEXT NOT NULL,
    reference  INTEGER NOT NULL DEFAULT 0,
    demo       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE organisations (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    foundation_trust INTEGER NOT NULL DEFAULT 0,
    ods_code         TEXT UNIQUE,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX organisations_name ON organisations (lower(name));

CREATE TABLE footprint_partners (
    footprint_id    INTEGER NOT NULL REFERENCES footprints (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    added_at        INTEGER NOT NULL,
    PRIMARY KEY (footprint_id, organisation_id)
);
CREATE INDEX footprint_partners_organisation ON footprint_partners (organisation_id);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    site_role       TEXT NOT NULL DEFAULT 'none',
    organisation_id INTEGER REFERENCES organisations (id),
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE footprint_roles (
    user_id      INTEGER NOT NULL REFERENCES users (id),
    footprint_id INTEGER NOT NULL REFERENCES footprints (id),
    role         TEXT NOT NULL,
    PRIMARY KEY (user_id, footprint_id, role)
);
CREATE INDEX footprint_roles_footprint ON footprint_roles (footprint_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    email     TEXT NOT NULL,
    client    TEXT NOT NULL,
    at        INTEGER NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    footprint_id  INTEGER,
    summary       TEXT NOT NULL,
    before        TEXT,
    after         TEXT
);
CREATE INDEX audit_log_footprint ON audit_log (footprint_id, id);

-- Append-only: no one rewrites the record, not even the application.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
