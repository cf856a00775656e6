-- A local change the sync server refused (issue #7): its stable code and the server's words.
-- It stays in the log so the row's history shows what was tried; it leaves the outbox.
ALTER TABLE change_log ADD COLUMN refused TEXT;
ALTER TABLE change_log ADD COLUMN refused_message TEXT;
