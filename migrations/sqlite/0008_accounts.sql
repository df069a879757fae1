-- Accounts (issue 13): the people who sign in, their sessions, API token
-- scopes, and the audit log.

-- People. `password_hash` is an argon2id PHC string (salt and parameters
-- inside it). `email` is stored lower-cased, so it is unique however typed.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'marketer', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

-- Sessions live on the server, so that logging out, a password change or a
-- disabled account ends them at once. The cookie holds 256 random bits; only
-- their SHA-256 digest is kept here, so a copy of the database cannot be
-- used to sign in.
CREATE TABLE sessions (
    digest       TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    address      TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- What a token may do; tokens made before scopes existed posted results.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'import'
    CHECK (scope IN ('import', 'read'));

-- Who did what, when, from where. Failed logins are read back from here to
-- rate-limit them (per account and per address), so every server on one
-- database shares the count.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    address TEXT
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_failed_actor ON audit_log (actor, at) WHERE action = 'login_failed';
CREATE INDEX audit_log_failed_address ON audit_log (address, at) WHERE action = 'login_failed';
