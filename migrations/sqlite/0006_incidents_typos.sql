-- Provider incidents (bounce::incident): a burst of failures from one
-- receiving domain with one code in a short window. Their sends are marked,
-- so selections and the suppression policies can leave them out.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    domain         TEXT NOT NULL,
    code           TEXT NOT NULL,
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    failures       INTEGER NOT NULL,
    domain_sent    INTEGER NOT NULL,
    rate           REAL NOT NULL,
    rate_elsewhere REAL NOT NULL,
    share          REAL NOT NULL,
    UNIQUE (campaign_id, domain, code)
);
ALTER TABLE sends ADD COLUMN incident_id INTEGER REFERENCES incidents (id) ON DELETE SET NULL;

-- The large provider a contact's domain probably misspells (bounce::typo),
-- set when the contact is stored; NULL when the domain looks right.
ALTER TABLE contacts ADD COLUMN typo_of TEXT;
CREATE INDEX contacts_typo ON contacts (typo_of) WHERE typo_of IS NOT NULL;

-- A campaign's data version, raised in the same transaction as every write
-- to its sends or events: cached charts are valid while it stays the same.
ALTER TABLE campaign_totals ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER campaign_totals_send_insert;
DROP TRIGGER campaign_totals_send_delete;
DROP TRIGGER campaign_totals_send_update;

CREATE TRIGGER campaign_totals_send_insert AFTER INSERT ON sends BEGIN
    UPDATE campaign_totals SET
        sent = sent + (new.outcome <> 'rejected'),
        delivered = delivered + (new.outcome = 'accepted' AND new.class IS NULL),
        hard = hard + (new.class IS 'hard'),
        soft = soft + (new.class IS 'soft'),
        undetermined = undetermined + (new.class IS 'undetermined'),
        rejected = rejected + (new.outcome = 'rejected'),
        version = version + 1
    WHERE campaign_id = new.campaign_id;
END;

CREATE TRIGGER campaign_totals_send_delete AFTER DELETE ON sends BEGIN
    UPDATE campaign_totals SET
        sent = sent - (old.outcome <> 'rejected'),
        delivered = delivered - (old.outcome = 'accepted' AND old.class IS NULL),
        hard = hard - (old.class IS 'hard'),
        soft = soft - (old.class IS 'soft'),
        undetermined = undetermined - (old.class IS 'undetermined'),
        rejected = rejected - (old.outcome = 'rejected'),
        version = version + 1
    WHERE campaign_id = old.campaign_id;
END;

CREATE TRIGGER campaign_totals_send_update AFTER UPDATE OF outcome, class, campaign_id, stage ON sends BEGIN
    UPDATE campaign_totals SET
        sent = sent - (old.outcome <> 'rejected'),
        delivered = delivered - (old.outcome = 'accepted' AND old.class IS NULL),
        hard = hard - (old.class IS 'hard'),
        soft = soft - (old.class IS 'soft'),
        undetermined = undetermined - (old.class IS 'undetermined'),
        rejected = rejected - (old.outcome = 'rejected'),
        version = version + 1
    WHERE campaign_id = old.campaign_id;
    UPDATE campaign_totals SET
        sent = sent + (new.outcome <> 'rejected'),
        delivered = delivered + (new.outcome = 'accepted' AND new.class IS NULL),
        hard = hard + (new.class IS 'hard'),
        soft = soft + (new.class IS 'soft'),
        undetermined = undetermined + (new.class IS 'undetermined'),
        rejected = rejected + (new.outcome = 'rejected'),
        version = version + 1
    WHERE campaign_id = new.campaign_id;
END;

CREATE TRIGGER campaign_version_event_insert AFTER INSERT ON delivery_events
WHEN new.campaign_id IS NOT NULL BEGIN
    UPDATE campaign_totals SET version = version + 1 WHERE campaign_id = new.campaign_id;
END;

CREATE TRIGGER campaign_version_event_delete AFTER DELETE ON delivery_events
WHEN old.campaign_id IS NOT NULL BEGIN
    UPDATE campaign_totals SET version = version + 1 WHERE campaign_id = old.campaign_id;
END;

-- Every campaign chart groups a campaign's failed events by one of these
-- columns: with all of them in one index the charts never read the table.
CREATE INDEX events_campaign_charts ON delivery_events
    (campaign_id, class, stage, reason, enhanced_status, reply_code, recipient_domain, occurred_at);
