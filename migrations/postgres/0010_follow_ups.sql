-- What stored results still owe: finding a campaign's incidents again, and
-- applying the suppression policies to a contact. A row is written in the
-- same transaction as the results that call for it and deleted once its work
-- is committed, so a process killed in between (kill -9 after the last batch
-- of an import) leaves the work noted, and the next import or the server's
-- minutely round does it (server/src/follow_ups.rs). Both kinds of work give
-- the same result when done twice. A row per batch, not per subject: a row
-- noted while its subject's work runs is kept for the next round.
CREATE TABLE pending_incidents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE
);
CREATE INDEX pending_incidents_campaign ON pending_incidents (campaign_id);

CREATE TABLE pending_policies (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE
);
CREATE INDEX pending_policies_contact ON pending_policies (contact_id);
