-- Free-text search in the remote servers' texts without scanning them all:
-- a trigram full-text index (substring matches, case-insensitive), kept in
-- step with delivery_events by triggers. Searches shorter than three
-- characters cannot use it and scan instead (store/src/sqlite.rs).
CREATE VIRTUAL TABLE delivery_events_search USING fts5(
    diagnostic,
    content = 'delivery_events',
    content_rowid = 'id',
    tokenize = 'trigram'
);

INSERT INTO delivery_events_search (rowid, diagnostic) SELECT id, diagnostic FROM delivery_events;

CREATE TRIGGER delivery_events_search_insert AFTER INSERT ON delivery_events BEGIN
    INSERT INTO delivery_events_search (rowid, diagnostic) VALUES (new.id, new.diagnostic);
END;

CREATE TRIGGER delivery_events_search_delete AFTER DELETE ON delivery_events BEGIN
    INSERT INTO delivery_events_search (delivery_events_search, rowid, diagnostic)
    VALUES ('delete', old.id, old.diagnostic);
END;

CREATE TRIGGER delivery_events_search_update AFTER UPDATE OF diagnostic ON delivery_events BEGIN
    INSERT INTO delivery_events_search (delivery_events_search, rowid, diagnostic)
    VALUES ('delete', old.id, old.diagnostic);
    INSERT INTO delivery_events_search (rowid, diagnostic) VALUES (new.id, new.diagnostic);
END;
