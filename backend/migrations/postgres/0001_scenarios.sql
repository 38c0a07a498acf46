-- Saved scenarios and their immutable revisions. Times are milliseconds since the Unix epoch
-- (UTC); authors are user names ("local" until sign-in exists).
CREATE TABLE scenarios (
    id              TEXT    PRIMARY KEY NOT NULL,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    latest_revision BIGINT  NOT NULL,
    archived        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    updated_by      TEXT    NOT NULL
);

CREATE INDEX scenarios_by_name ON scenarios (archived, name, id);
CREATE INDEX scenarios_by_updated ON scenarios (archived, updated_at, id);

CREATE TABLE revisions (
    scenario_id    TEXT    NOT NULL REFERENCES scenarios (id),
    revision       BIGINT  NOT NULL,
    format_version BIGINT  NOT NULL,
    -- The scenario as JSON, exactly as validated and stored (text, not jsonb: the bytes a
    -- revision was saved with are the bytes it is read back with).
    scenario       TEXT    NOT NULL,
    message        TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    created_by     TEXT    NOT NULL,
    PRIMARY KEY (scenario_id, revision)
);
