-- +goose Up
-- Japanese member search (internal/search): normalised texts and their
-- n-gram terms built in Go, with a GIN index on the terms.
CREATE TABLE member_search (
    org_id     BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    name_text  TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    all_terms  TEXT[] NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX member_search_terms ON member_search USING gin (all_terms);
-- A search reads the texts of every hit but never the terms (the GIN index
-- answers for them), so keep the terms (about 1.4 kB compressed) out of the
-- row and the texts in it: four times more rows per page.
ALTER TABLE member_search SET (toast_tuple_target = 128);
ALTER TABLE member_search ALTER COLUMN name_text SET STORAGE MAIN;
ALTER TABLE member_search ALTER COLUMN body_text SET STORAGE MAIN;

-- +goose Down
DROP TABLE member_search;
