-- Selections, suppression policies and their history, kept campaign totals.

-- A send's final failure, so selections filter sends by reason, stage and
-- code without looking for the event that ended them; NULL when delivered
-- or never sent. diagnostic is the remote server's text, for exports.
ALTER TABLE sends ADD COLUMN stage TEXT;
ALTER TABLE sends ADD COLUMN reply_code INTEGER;
ALTER TABLE sends ADD COLUMN enhanced_status TEXT;
ALTER TABLE sends ADD COLUMN diagnostic TEXT;
ALTER TABLE sends ADD COLUMN reason TEXT;
-- Selections read sends through covering indexes only (measured in
-- docs/performance.md: a million contacts, ten million sends):
-- failed sends (a small share of all) with every column a "bounced"
-- condition filters on, and a contact's latest failure;
CREATE INDEX sends_failed ON sends (class, contact_id, updated_at, campaign_id, reason, stage, reply_code, enhanced_status)
    WHERE class IS NOT NULL;
-- a contact's sends in time order ("consecutive", the policies' history),
-- which also serves what sends_contact did;
CREATE INDEX sends_contact_history ON sends (contact_id, updated_at, outcome, class);
DROP INDEX sends_contact;
-- a campaign's sends ("no_error", campaign scopes, the recount of totals),
-- which also serves what sends_campaign_totals did.
CREATE INDEX sends_campaign ON sends (campaign_id, outcome, class, contact_id, updated_at);
DROP INDEX sends_campaign_totals;

-- Sends before this moment no longer count for selections and policies.
ALTER TABLE contacts ADD COLUMN bounces_reset_at TEXT;
CREATE INDEX contacts_status ON contacts (status);

-- Saved selections: a definition (JSON, see docs/selections.md) under a name.
CREATE TABLE selections (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Why a suppression exists: the rule that made it (hard_bounce,
-- repeated_soft, consecutive_hard, complaint, unsubscribe) or manual.
ALTER TABLE suppressions ADD COLUMN rule TEXT;
CREATE INDEX suppressions_expiry ON suppressions (expires_at) WHERE expires_at IS NOT NULL;

-- Every change to a contact's standing, automatic or manual: who (a rule,
-- a user, the CLI), when, what and why.
CREATE TABLE contact_history (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    expires_at TEXT
);
CREATE INDEX contact_history_email ON contact_history (email, at);

-- Settings as JSON by key (the suppression policy).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Per-campaign totals, kept by triggers in the same transaction as every
-- write to sends, so pages never aggregate millions of sends per request.
CREATE TABLE campaign_totals (
    campaign_id  INTEGER PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    sent         INTEGER NOT NULL DEFAULT 0,
    delivered    INTEGER NOT NULL DEFAULT 0,
    hard         INTEGER NOT NULL DEFAULT 0,
    soft         INTEGER NOT NULL DEFAULT 0,
    undetermined INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0
);

INSERT INTO campaign_totals (campaign_id, sent, delivered, hard, soft, undetermined, rejected)
SELECT c.id,
       COALESCE(SUM(CASE WHEN s.outcome <> 'rejected' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN s.outcome = 'accepted' AND s.class IS NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN s.class = 'hard' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN s.class = 'soft' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN s.class = 'undetermined' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN s.outcome = 'rejected' THEN 1 ELSE 0 END), 0)
FROM campaigns c LEFT JOIN sends s ON s.campaign_id = c.id
GROUP BY c.id;

CREATE TRIGGER campaign_totals_new AFTER INSERT ON campaigns BEGIN
    INSERT INTO campaign_totals (campaign_id) VALUES (new.id);
END;

CREATE TRIGGER campaign_totals_send_insert AFTER INSERT ON sends BEGIN
    UPDATE campaign_totals SET
        sent = sent + (new.outcome <> 'rejected'),
        delivered = delivered + (new.outcome = 'accepted' AND new.class IS NULL),
        hard = hard + (new.class IS 'hard'),
        soft = soft + (new.class IS 'soft'),
        undetermined = undetermined + (new.class IS 'undetermined'),
        rejected = rejected + (new.outcome = 'rejected')
    WHERE campaign_id = new.campaign_id;
END;

CREATE TRIGGER campaign_totals_send_delete AFTER DELETE ON sends BEGIN
    UPDATE campaign_totals SET
        sent = sent - (old.outcome <> 'rejected'),
        delivered = delivered - (old.outcome = 'accepted' AND old.class IS NULL),
        hard = hard - (old.class IS 'hard'),
        soft = soft - (old.class IS 'soft'),
        undetermined = undetermined - (old.class IS 'undetermined'),
        rejected = rejected - (old.outcome = 'rejected')
    WHERE campaign_id = old.campaign_id;
END;

CREATE TRIGGER campaign_totals_send_update AFTER UPDATE OF outcome, class, campaign_id ON sends BEGIN
    UPDATE campaign_totals SET
        sent = sent - (old.outcome <> 'rejected'),
        delivered = delivered - (old.outcome = 'accepted' AND old.class IS NULL),
        hard = hard - (old.class IS 'hard'),
        soft = soft - (old.class IS 'soft'),
        undetermined = undetermined - (old.class IS 'undetermined'),
        rejected = rejected - (old.outcome = 'rejected')
    WHERE campaign_id = old.campaign_id;
    UPDATE campaign_totals SET
        sent = sent + (new.outcome <> 'rejected'),
        delivered = delivered + (new.outcome = 'accepted' AND new.class IS NULL),
        hard = hard + (new.class IS 'hard'),
        soft = soft + (new.class IS 'soft'),
        undetermined = undetermined + (new.class IS 'undetermined'),
        rejected = rejected + (new.outcome = 'rejected')
    WHERE campaign_id = new.campaign_id;
END;
