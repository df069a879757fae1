-- Provider incidents (bounce::incident): a burst of failures from one
-- receiving domain with one code in a short window. Their sends are marked,
-- so selections and the suppression policies can leave them out.
CREATE TABLE incidents (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id    BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    domain         TEXT NOT NULL,
    code           TEXT NOT NULL,
    starts_at      TIMESTAMPTZ NOT NULL,
    ends_at        TIMESTAMPTZ NOT NULL,
    failures       BIGINT NOT NULL,
    domain_sent    BIGINT NOT NULL,
    rate           DOUBLE PRECISION NOT NULL,
    rate_elsewhere DOUBLE PRECISION NOT NULL,
    share          DOUBLE PRECISION NOT NULL,
    UNIQUE (campaign_id, domain, code)
);
ALTER TABLE sends ADD COLUMN incident_id BIGINT REFERENCES incidents (id) ON DELETE SET NULL;

-- The large provider a contact's domain probably misspells (bounce::typo),
-- set when the contact is stored; NULL when the domain looks right.
ALTER TABLE contacts ADD COLUMN typo_of TEXT;
CREATE INDEX contacts_typo ON contacts (typo_of) WHERE typo_of IS NOT NULL;

-- A campaign's data version, raised in the same transaction as every write
-- to its sends or events: cached charts are valid while it stays the same.
-- Statement-level triggers, one UPDATE per campaign per statement (see 0005).
ALTER TABLE campaign_totals ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION campaign_version_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_totals SET version = version + 1
    WHERE campaign_id IN (SELECT DISTINCT campaign_id FROM new_rows WHERE campaign_id IS NOT NULL);
    RETURN NULL;
END $$;

CREATE FUNCTION campaign_version_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_totals SET version = version + 1
    WHERE campaign_id IN (SELECT DISTINCT campaign_id FROM old_rows WHERE campaign_id IS NOT NULL);
    RETURN NULL;
END $$;

CREATE TRIGGER campaign_version_send_insert AFTER INSERT ON sends
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_version_new_rows();
CREATE TRIGGER campaign_version_send_update AFTER UPDATE ON sends
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_version_new_rows();
CREATE TRIGGER campaign_version_send_delete AFTER DELETE ON sends
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_version_old_rows();
CREATE TRIGGER campaign_version_event_insert AFTER INSERT ON delivery_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_version_new_rows();
CREATE TRIGGER campaign_version_event_delete AFTER DELETE ON delivery_events
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION campaign_version_old_rows();

-- Every campaign chart groups a campaign's failed events by one of these
-- columns: with all of them in one index the charts read no table pages.
CREATE INDEX events_campaign_charts ON delivery_events
    (campaign_id, class, stage, reason, enhanced_status, reply_code, recipient_domain, occurred_at);
