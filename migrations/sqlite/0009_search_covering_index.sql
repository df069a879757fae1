-- The Errors tab's text search without table lookups (issue 13's load test).
-- A common search word, a search too short for the trigram index and a code
-- prefix read a campaign's rows newest first until the page is full
-- (store/src/sqlite.rs). Through (campaign_id, occurred_at, id) alone every
-- row read was a lookup into the table, whose rows also hold the raw
-- message: 9 ms for the 5,000 rows a common word took at `demo --scale 20`,
-- 130 ms for a campaign of 93,000 rows read whole. With the class, the codes
-- and the text in the index those filters run on the index alone (SQLite
-- seeks a table row only for a row that matches): 3 ms and 31 ms. The new
-- index serves every query the old one did (same leading columns), so it
-- replaces it.
-- PostgreSQL keeps its trigram GIN index: a B-tree entry there is limited to
-- about 2.7 kB, less than a diagnostic may hold.
DROP INDEX events_campaign_time;
CREATE INDEX events_campaign_time ON delivery_events
    (campaign_id, occurred_at, id, class, reply_code, enhanced_status, diagnostic);
