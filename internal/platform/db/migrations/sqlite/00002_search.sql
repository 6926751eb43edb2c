-- +goose Up
-- Japanese member search (internal/search). member_search_docs keeps the
-- normalised texts; member_search holds n-gram tokens built in Go, one row
-- per member with rowid = user id, so that a MATCH alone yields user ids.
CREATE TABLE member_search_docs (
    user_id    INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL,
    name_text  TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX member_search_docs_org ON member_search_docs (org_id, user_id);

CREATE VIRTUAL TABLE member_search USING fts5(
    name, body,
    content = '', contentless_delete = 1,
    tokenize = 'ascii'
);

-- Deleting a document (also through the cascade when a user is deleted)
-- removes its tokens.
-- +goose StatementBegin
CREATE TRIGGER member_search_docs_delete AFTER DELETE ON member_search_docs BEGIN
    DELETE FROM member_search WHERE rowid = old.user_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER member_search_docs_delete;
DROP TABLE member_search;
DROP TABLE member_search_docs;
