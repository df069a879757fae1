-- Free-text search in the remote servers' texts without scanning them all:
-- a trigram GIN index serves ILIKE '%...%'. pg_trgm is a trusted extension
-- (PostgreSQL 13+): the database owner may create it. It goes into `public`
-- so that it is shared by every schema using this database.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

CREATE INDEX events_diagnostic_trgm ON delivery_events USING gin (diagnostic public.gin_trgm_ops);
