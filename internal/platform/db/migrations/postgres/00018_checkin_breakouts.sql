-- +goose Up
-- Check-in: who let each participant in at the door (checked_in_at is 00017's).
ALTER TABLE event_registrations ADD COLUMN checked_in_by BIGINT;

-- Breakout groups: one plan per event. The organizer's working copy lives in
-- event_breakout_groups and event_breakout_members; what participants see is
-- the copy taken at publishing, event_breakout_published, so that moving
-- people afterwards shows nobody anything until it is published again.
CREATE TABLE event_breakouts (
    org_id           BIGINT NOT NULL,
    event_id         BIGINT NOT NULL,
    group_size       INTEGER NOT NULL CHECK (group_size BETWEEN 2 AND 20),
    mode             TEXT NOT NULL CHECK (mode IN ('industry', 'left_year', 'joined_band', 'mixed')),
    only_checked_in  BOOLEAN NOT NULL DEFAULT FALSE,
    seed             BIGINT NOT NULL,
    published_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    updated_by       BIGINT,
    PRIMARY KEY (org_id, event_id),
    FOREIGN KEY (org_id, event_id) REFERENCES events(org_id, id) ON DELETE CASCADE
);

CREATE TABLE event_breakout_groups (
    org_id    BIGINT NOT NULL,
    event_id  BIGINT NOT NULL,
    number    INTEGER NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, event_id, number),
    FOREIGN KEY (org_id, event_id) REFERENCES event_breakouts(org_id, event_id) ON DELETE CASCADE
);

CREATE TABLE event_breakout_members (
    org_id    BIGINT NOT NULL,
    event_id  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    number    INTEGER NOT NULL,
    PRIMARY KEY (org_id, event_id, user_id),
    FOREIGN KEY (org_id, event_id, number) REFERENCES event_breakout_groups(org_id, event_id, number) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

CREATE TABLE event_breakout_published (
    org_id      BIGINT NOT NULL,
    event_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    number      INTEGER NOT NULL,
    group_name  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, event_id, user_id),
    FOREIGN KEY (org_id, event_id) REFERENCES event_breakouts(org_id, event_id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX event_breakout_published_group ON event_breakout_published (org_id, event_id, number);

-- +goose Down
DROP TABLE event_breakout_published;
DROP TABLE event_breakout_members;
DROP TABLE event_breakout_groups;
DROP TABLE event_breakouts;
ALTER TABLE event_registrations DROP COLUMN checked_in_by;
