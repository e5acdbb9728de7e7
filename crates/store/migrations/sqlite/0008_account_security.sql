-- Two-factor sign-in (ASVS 2.7, 2.8): a time-based one-time code (RFC 6238) from an
-- authenticator app, with single-use recovery codes (each stored as a salted SHA-256). The
-- secret is held only here and never exported; a time step once used is not accepted again.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
-- A secret offered while the person sets up their app, until they confirm it with a code, and
-- when it was offered (an offer not taken up soon is replaced).
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_offered_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at   INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- A sign-in that has passed its password and awaits its second factor: it shows nothing.
ALTER TABLE sessions ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- Security notices (ASVS 2.2.3): a person is told by email of each change to how they sign in
-- (their password set, two-factor sign-in turned on or off, recovery codes made or used, an API
-- token made or revoked). The changes themselves are in the audit log; this records which have
-- been told, so that a notice goes once however often the job runs. The site's own mail log:
-- not exported with a footprint.
CREATE TABLE security_notices_sent (
    audit_id INTEGER PRIMARY KEY REFERENCES audit_log (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    sent_at  INTEGER NOT NULL
);

-- The credential changes, found without reading the whole audit log.
CREATE INDEX audit_log_credential_changes ON audit_log (id)
    WHERE action IN ('user.password', 'user.two-factor.on', 'user.two-factor.off', 'user.recovery-codes',
                     'user.recovery-code.use', 'api-token.create', 'api-token.revoke');
