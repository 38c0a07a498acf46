-- Platforms: what each one follows (a saved scenario revision, a provider, live sources), the
-- phase it is on, its transitions, the state of its checklist and its milestone durations.
-- Only what people did is stored; the checklist's plan actions and the milestones' dates are
-- derived from the scenario each time they are read. Times are milliseconds since the Unix
-- epoch (UTC).
CREATE TABLE platforms (
    name        TEXT    PRIMARY KEY NOT NULL,
    scenario_id TEXT    NOT NULL REFERENCES scenarios (id),
    revision    BIGINT NOT NULL,
    provider    TEXT    NOT NULL,
    -- A JSON array of source names; NULL reads every configured source.
    sources     TEXT,
    phase       TEXT    NOT NULL,
    -- A JSON object: the phase a step leads to → its durations, where someone changed them.
    durations   TEXT    NOT NULL DEFAULT '{}',
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT    NOT NULL
);

CREATE TABLE transitions (
    platform     TEXT    NOT NULL REFERENCES platforms (name),
    number       BIGINT NOT NULL,
    from_phase   TEXT    NOT NULL,
    from_name    TEXT    NOT NULL,
    to_phase     TEXT    NOT NULL,
    to_name      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    forced       BOOLEAN NOT NULL,
    scenario_id  TEXT    NOT NULL,
    revision     BIGINT NOT NULL,
    provider     TEXT    NOT NULL,
    at           BIGINT NOT NULL,
    by_name      TEXT    NOT NULL,
    validated_at BIGINT,
    validated_by TEXT,
    PRIMARY KEY (platform, number)
);

CREATE TABLE checklist_items (
    platform   TEXT    NOT NULL REFERENCES platforms (name),
    id         TEXT    NOT NULL,
    -- The phase the item leads to ('' beyond the top of the ladder).
    toward     TEXT    NOT NULL,
    origin     TEXT    NOT NULL CHECK (origin IN ('plan', 'person')),
    title      TEXT    NOT NULL,
    component  TEXT,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'in-progress', 'completed')),
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT    NOT NULL,
    PRIMARY KEY (platform, id)
);
