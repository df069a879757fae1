-- Linking results from outside to campaigns and sends (store::ingest), and
-- the API tokens that let other systems post them.

-- The tag, category or campaign name the sending system (an ESP, an MTA's
-- job id) knows a campaign by: a result carrying it is linked here.
ALTER TABLE campaigns ADD COLUMN tag TEXT;
CREATE UNIQUE INDEX campaigns_tag ON campaigns (tag) WHERE tag IS NOT NULL;

-- The Message-ID a send went out with (from a delivery result that named
-- both): a later bounce that quotes only the Message-ID finds its send.
ALTER TABLE sends ADD COLUMN message_id TEXT;
CREATE INDEX sends_message_id ON sends (message_id) WHERE message_id IS NOT NULL;

-- Results no campaign could be found for are kept and listed, newest first,
-- with the tag and Message-ID they carried (NULL on linked results).
ALTER TABLE delivery_events ADD COLUMN link_tag TEXT;
ALTER TABLE delivery_events ADD COLUMN link_message_id TEXT;
CREATE INDEX delivery_events_unlinked ON delivery_events (occurred_at DESC, id DESC)
    WHERE campaign_id IS NULL;

-- API tokens: only a SHA-256 digest of each token is kept (a token is 256
-- random bits, so a fast digest is as safe as a slow one and costs nothing
-- per request); `prefix` is the token's first characters, shown in lists
-- so that a person can tell tokens apart.
CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    digest       TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- Imports run from the upload page or the command line: what came in, how
-- far the import is, and what it did. Kept in the database so that every
-- server sharing it shows the same progress and history.
CREATE TABLE imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    format      TEXT NOT NULL,
    campaign_id BIGINT REFERENCES campaigns (id) ON DELETE SET NULL,
    state       TEXT NOT NULL,
    bytes_total BIGINT,
    bytes_read  BIGINT NOT NULL DEFAULT 0,
    stored      BIGINT NOT NULL DEFAULT 0,
    duplicates  BIGINT NOT NULL DEFAULT 0,
    unlinked    BIGINT NOT NULL DEFAULT 0,
    other       BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0,
    rejects     TEXT NOT NULL DEFAULT '',
    error       TEXT,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    -- Raised with every progress record: a running import whose server
    -- died stops raising it, and is then shown as failed.
    updated_at  TIMESTAMPTZ NOT NULL
);
