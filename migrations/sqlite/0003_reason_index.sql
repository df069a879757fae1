-- The Errors tab filters by the classifier's reason (and by category, which
-- is a set of reasons): one more index in the pattern of the others.
CREATE INDEX events_campaign_reason_time ON delivery_events (campaign_id, reason, occurred_at, id);
