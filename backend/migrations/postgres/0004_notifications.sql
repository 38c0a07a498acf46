-- Notifications: channels (where messages go; secrets encrypted with the server's secret_key),
-- rules per platform (when), the last state of each condition a rule watches (so one change
-- sends one message, claimed by a compare-and-set whichever replica sees it first), events and
-- their deliveries (retried with backoff, claimed by one replica at a time). Times are
-- milliseconds since the Unix epoch (UTC).
CREATE TABLE notification_channels (
    id                   TEXT    PRIMARY KEY NOT NULL,
    kind                 TEXT    NOT NULL CHECK (kind IN ('webhook', 'slack', 'email')),
    name                 TEXT    NOT NULL,
    -- Where it delivers, without secrets (JSON).
    settings             TEXT    NOT NULL,
    -- The secret as given (a value, or an env:/file: reference): base64 of nonce and ciphertext.
    secret               TEXT    NOT NULL,
    -- How it was given, to show: inline, env:NAME, file:PATH, none.
    secret_source        TEXT    NOT NULL,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    failing              BOOLEAN NOT NULL DEFAULT FALSE,
    last_error           TEXT,
    created_at           BIGINT NOT NULL,
    created_by           TEXT    NOT NULL
);

CREATE TABLE notification_rules (
    id          TEXT    PRIMARY KEY NOT NULL,
    platform    TEXT    NOT NULL REFERENCES platforms (name),
    -- The trigger as JSON, and the channel ids as a JSON array.
    trigger     TEXT    NOT NULL,
    channels    TEXT    NOT NULL,
    cooldown_ms BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT    NOT NULL
);

CREATE TABLE notification_conditions (
    rule_id    TEXT    NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
    -- Which condition of the rule: a component, a milestone, the forecast, a channel.
    key        TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    changed_at BIGINT NOT NULL,
    sent_at    BIGINT,
    PRIMARY KEY (rule_id, key)
);

CREATE TABLE notification_events (
    id       TEXT    PRIMARY KEY NOT NULL,
    platform TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    -- The event as JSON, as every channel renders it.
    body     TEXT    NOT NULL,
    at       BIGINT NOT NULL
);

CREATE TABLE notification_deliveries (
    id            TEXT    PRIMARY KEY NOT NULL,
    event_id      TEXT    NOT NULL REFERENCES notification_events (id),
    channel_id    TEXT    NOT NULL,
    channel_name  TEXT    NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    last_error    TEXT,
    next_at       BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    sent_at       BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE INDEX deliveries_due ON notification_deliveries (state, next_at);
CREATE INDEX deliveries_newest ON notification_deliveries (created_at, id);

-- Alerts from Alertmanager's webhook, per platform, by fingerprint: firing until resolved.
CREATE TABLE alerts (
    platform    TEXT    NOT NULL REFERENCES platforms (name),
    fingerprint TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
    -- The alert as Phaseplan shows it (JSON).
    body        TEXT    NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (platform, fingerprint)
);
