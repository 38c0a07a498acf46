-- Accounts, API tokens, sessions and the audit log (auth = "users"). Times are milliseconds
-- since the Unix epoch (UTC). Secrets are stored only as hashes: passwords as argon2id PHC
-- strings, token and session secrets as SHA-256 (they are 256 random bits, not guessable).
CREATE TABLE users (
    name          TEXT    PRIMARY KEY NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE tokens (
    name         TEXT    PRIMARY KEY NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    secret_hash  TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE sessions (
    secret_hash TEXT    PRIMARY KEY NOT NULL,
    user_name   TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_name);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    address TEXT    NOT NULL
);
