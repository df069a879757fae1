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
ALTER TABLE contacts ADD COLUMN bounces_reset_at TIMESTAMPTZ;
CREATE INDEX contacts_status ON contacts (status);

-- Saved selections: a definition (JSON, see docs/selections.md) under a name.
CREATE TABLE selections (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Why a suppression exists: the rule that made it (hard_bounce,
-- repeated_soft, consecutive_hard, complaint, unsubscribe) or manual.
ALTER TABLE suppressions ADD COLUMN rule TEXT;
CREATE INDEX suppressions_expiry ON suppressions (expires_at) WHERE expires_at IS NOT NULL;

-- Every change to a contact's standing, automatic or manual: who (a rule,
-- a user, the CLI), when, what and why.
CREATE TABLE contact_history (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ
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
    campaign_id  BIGINT PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    sent         BIGINT NOT NULL DEFAULT 0,
    delivered    BIGINT NOT NULL DEFAULT 0,
    hard         BIGINT NOT NULL DEFAULT 0,
    soft         BIGINT NOT NULL DEFAULT 0,
    undetermined BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0
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

CREATE FUNCTION campaign_totals_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_totals (campaign_id) VALUES (NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER campaign_totals_new AFTER INSERT ON campaigns
    FOR EACH ROW EXECUTE FUNCTION campaign_totals_new();

-- Statement-level triggers with transition tables: one UPDATE per campaign
-- per statement. A row-level trigger would update the same totals row once
-- per send, and PostgreSQL then walks a chain of row versions that grows with
-- every update in the transaction: loading 200,000 sends took minutes.
CREATE FUNCTION campaign_totals_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_totals t SET
        sent = t.sent + d.sent, delivered = t.delivered + d.delivered, hard = t.hard + d.hard,
        soft = t.soft + d.soft, undetermined = t.undetermined + d.undetermined, rejected = t.rejected + d.rejected
    FROM (
        SELECT campaign_id,
               SUM((outcome <> 'rejected')::int) AS sent,
               SUM((outcome = 'accepted' AND class IS NULL)::int) AS delivered,
               SUM((class IS NOT DISTINCT FROM 'hard')::int) AS hard,
               SUM((class IS NOT DISTINCT FROM 'soft')::int) AS soft,
               SUM((class IS NOT DISTINCT FROM 'undetermined')::int) AS undetermined,
               SUM((outcome = 'rejected')::int) AS rejected
        FROM new_rows GROUP BY campaign_id
    ) d
    WHERE t.campaign_id = d.campaign_id;
    RETURN NULL;
END $$;

CREATE FUNCTION campaign_totals_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_totals t SET
        sent = t.sent - d.sent, delivered = t.delivered - d.delivered, hard = t.hard - d.hard,
        soft = t.soft - d.soft, undetermined = t.undetermined - d.undetermined, rejected = t.rejected - d.rejected
    FROM (
        SELECT campaign_id,
               SUM((outcome <> 'rejected')::int) AS sent,
               SUM((outcome = 'accepted' AND class IS NULL)::int) AS delivered,
               SUM((class IS NOT DISTINCT FROM 'hard')::int) AS hard,
               SUM((class IS NOT DISTINCT FROM 'soft')::int) AS soft,
               SUM((class IS NOT DISTINCT FROM 'undetermined')::int) AS undetermined,
               SUM((outcome = 'rejected')::int) AS rejected
        FROM old_rows GROUP BY campaign_id
    ) d
    WHERE t.campaign_id = d.campaign_id;
    RETURN NULL;
END $$;

-- An update is the old rows taken out and the new ones put in.
CREATE FUNCTION campaign_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_totals t SET
        sent = t.sent + d.sent, delivered = t.delivered + d.delivered, hard = t.hard + d.hard,
        soft = t.soft + d.soft, undetermined = t.undetermined + d.undetermined, rejected = t.rejected + d.rejected
    FROM (
        SELECT campaign_id,
               SUM(dir * (outcome <> 'rejected')::int) AS sent,
               SUM(dir * (outcome = 'accepted' AND class IS NULL)::int) AS delivered,
               SUM(dir * (class IS NOT DISTINCT FROM 'hard')::int) AS hard,
               SUM(dir * (class IS NOT DISTINCT FROM 'soft')::int) AS soft,
               SUM(dir * (class IS NOT DISTINCT FROM 'undetermined')::int) AS undetermined,
               SUM(dir * (outcome = 'rejected')::int) AS rejected
        FROM (
            SELECT campaign_id, outcome, class, 1 AS dir FROM new_rows
            UNION ALL
            SELECT campaign_id, outcome, class, -1 AS dir FROM old_rows
        ) rows
        GROUP BY campaign_id
    ) d
    WHERE t.campaign_id = d.campaign_id;
    RETURN NULL;
END $$;

CREATE TRIGGER campaign_totals_insert AFTER INSERT ON sends
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_totals_added();
CREATE TRIGGER campaign_totals_delete AFTER DELETE ON sends
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_totals_removed();
CREATE TRIGGER campaign_totals_update AFTER UPDATE ON sends
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_totals_changed();
