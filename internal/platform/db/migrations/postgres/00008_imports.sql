-- +goose Up
-- HR file imports. The uploaded file stays on disk (never in the database or
-- in memory); this row tracks one file through mapping, dry run and run, with
-- its progress for the page that polls it.
CREATE TABLE imports (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    created_by        BIGINT,
    actor_label       TEXT NOT NULL DEFAULT '',
    file_name         TEXT NOT NULL,
    stored_name       TEXT NOT NULL,
    size_bytes        BIGINT NOT NULL DEFAULT 0,
    detected_encoding TEXT NOT NULL DEFAULT '',
    encoding          TEXT NOT NULL DEFAULT '',
    header            TEXT NOT NULL DEFAULT '[]',
    mapping           TEXT NOT NULL DEFAULT '{}',
    file_problem      TEXT NOT NULL DEFAULT '',
    file_problem_row  INTEGER NOT NULL DEFAULT 0,
    -- phase: 'dry_run' or 'run'; mode: 'all' (one transaction) or 'per_row'.
    phase             TEXT NOT NULL DEFAULT '',
    mode              TEXT NOT NULL DEFAULT '',
    -- state: ready, queued, running, done, failed.
    state             TEXT NOT NULL DEFAULT 'ready',
    rows_total        INTEGER NOT NULL DEFAULT 0,
    rows_done         INTEGER NOT NULL DEFAULT 0,
    created_count     INTEGER NOT NULL DEFAULT 0,
    updated_count     INTEGER NOT NULL DEFAULT 0,
    unchanged_count   INTEGER NOT NULL DEFAULT 0,
    converted_count   INTEGER NOT NULL DEFAULT 0,
    error_count       INTEGER NOT NULL DEFAULT 0,
    written           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ
);
CREATE INDEX imports_org ON imports (org_id, created_at);

-- Row-by-row problems of the latest dry run or run of an import.
CREATE TABLE import_errors (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_id   BIGINT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL,
    row_number  INTEGER NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    column_name TEXT NOT NULL DEFAULT '',
    msg_key     TEXT NOT NULL,
    value       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_errors_import ON import_errors (import_id, row_number);

-- +goose Down
DROP TABLE import_errors;
DROP TABLE imports;
