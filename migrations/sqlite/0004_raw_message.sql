-- The bounce message an event was read from, deflate-compressed, so the
-- detail view can show exactly what came back (and a better classifier can
-- read it again). NULL for events from logs and webhooks.
ALTER TABLE delivery_events ADD COLUMN raw_message BLOB;
