-- bouncedesk schema, SQLite dialect. Append-only: never edit a migration that has shipped.
-- Times are stored as RFC 3339 text in UTC (sqlx's chrono encoding), which sorts in time order.
-- Enum-like columns (stage, outcome, class) are checked by the domain types on read,
-- not by CHECK constraints, so new values need no table rebuild in SQLite.

CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    from_domain TEXT NOT NULL,
    sent_at     TEXT NOT NULL
);
CREATE INDEX campaigns_sent_at ON campaigns (sent_at DESC);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    domain     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL
);
CREATE INDEX contacts_domain ON contacts (domain);

-- One row per campaign and contact: the final outcome of that send.
-- class is NULL when the message was delivered or never sent (rejected).
CREATE TABLE sends (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL,
    class       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    UNIQUE (campaign_id, contact_id)
);
-- Covers the campaign totals, so the campaigns list never reads the table itself.
CREATE INDEX sends_campaign_totals ON sends (campaign_id, outcome, class);
CREATE INDEX sends_contact ON sends (contact_id);

-- Each failed attempt or bounce. campaign_id and contact_id may be unknown for a
-- bounce that could not be linked yet; recipient is always kept as received.
CREATE TABLE delivery_events (
    id               INTEGER PRIMARY KEY,
    occurred_at      TEXT NOT NULL,
    campaign_id      INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id       INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    recipient        TEXT NOT NULL,
    recipient_domain TEXT NOT NULL,
    stage            TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    reply_code       INTEGER,
    enhanced_status  TEXT,
    diagnostic       TEXT NOT NULL DEFAULT '',
    remote_mta       TEXT,
    class            TEXT NOT NULL,
    reason           TEXT,
    source           TEXT NOT NULL,
    source_event_id  TEXT NOT NULL,
    UNIQUE (source, source_event_id)
);
-- The Errors tab reads newest first within a campaign, optionally narrowed by
-- one of these columns; each index serves one filter with keyset pagination.
CREATE INDEX events_campaign_time ON delivery_events (campaign_id, occurred_at, id);
CREATE INDEX events_campaign_stage_time ON delivery_events (campaign_id, stage, occurred_at, id);
CREATE INDEX events_campaign_class_time ON delivery_events (campaign_id, class, occurred_at, id);
CREATE INDEX events_campaign_domain_time ON delivery_events (campaign_id, recipient_domain, occurred_at, id);
-- Per-contact history, for selections such as "three hard bounces in a row".
CREATE INDEX events_contact_time ON delivery_events (contact_id, occurred_at);

CREATE TABLE suppressions (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT
);
