-- Accounts, API tokens, sessions and the audit log (auth = "users"). Times are milliseconds
-- since the Unix epoch (UTC). Secrets are stored only as hashes: passwords as argon2id PHC
-- strings, token and session secrets as SHA-256 (they are 256 random bits, not guessable).
CREATE TABLE users (
    name          TEXT    PRIMARY KEY NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE tokens (
    name         TEXT    PRIMARY KEY NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    secret_hash  TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    created_by   TEXT    NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE sessions (
    secret_hash TEXT    PRIMARY KEY NOT NULL,
    user_name   TEXT    NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_name);

CREATE TABLE audit (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      BIGINT  NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    address TEXT    NOT NULL
);
