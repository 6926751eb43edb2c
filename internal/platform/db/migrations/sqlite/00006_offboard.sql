-- +goose Up
-- Departures: HR's record that an employee is leaving, and the farewell
-- card (寄せ書き) colleagues sign for them. Calendar days are ISO
-- 'YYYY-MM-DD' text; the last day is a day in Japan, not an instant.
CREATE TABLE departures (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    last_day        TEXT NOT NULL,
    department      TEXT NOT NULL DEFAULT '',
    job_title       TEXT NOT NULL DEFAULT '',
    hired_on        TEXT NOT NULL DEFAULT '',
    tenure_years    INTEGER NOT NULL DEFAULT 0,
    personal_email  TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT 'ja',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'converted', 'cancelled')),
    source          TEXT NOT NULL DEFAULT 'manual',
    card_id         TEXT NOT NULL UNIQUE,
    card_anonymous  BOOLEAN NOT NULL DEFAULT FALSE,
    card_manager_id INTEGER,
    created_by      INTEGER,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    converted_at    TIMESTAMP,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
-- One pending departure per person: a second one would convert them twice.
CREATE UNIQUE INDEX departures_one_pending ON departures (org_id, user_id) WHERE state = 'pending';
CREATE INDEX departures_org_day ON departures (org_id, last_day);

CREATE TABLE card_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL,
    departure_id    INTEGER NOT NULL,
    author_user_id  INTEGER,
    author_name     TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    photo_key       TEXT NOT NULL DEFAULT '',
    hidden          BOOLEAN NOT NULL DEFAULT FALSE,
    ip              TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, departure_id) REFERENCES departures(org_id, id) ON DELETE CASCADE
);
CREATE INDEX card_messages_departure ON card_messages (org_id, departure_id, id);

-- +goose Down
DROP TABLE card_messages;
DROP TABLE departures;
