-- +goose Up
-- Notification preferences and email delivery. A member has a row per
-- category only once they changed it; the defaults live in Go
-- (notify.DefaultPreference), so that changing a default reaches everyone
-- who never chose.
CREATE TABLE notification_prefs (
    org_id      BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    category    TEXT NOT NULL,
    in_app      BOOLEAN NOT NULL,
    email       TEXT NOT NULL CHECK (email IN ('instant', 'daily', 'weekly', 'never')),
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, user_id, category),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

-- in_app: shown on the notifications page (false when the member turned the
-- category off in the app but still wants it by email; such rows are stored
-- already read, so that the unread badge never counts them).
-- email_plan: how the notification is emailed, decided when it is created.
-- emailed_at: set once it was emailed (or settled without an email), so
-- that nothing is emailed twice.
ALTER TABLE notifications ADD COLUMN in_app BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE notifications ADD COLUMN email_plan TEXT NOT NULL DEFAULT 'never';
ALTER TABLE notifications ADD COLUMN emailed_at TIMESTAMPTZ;
CREATE INDEX notifications_digest ON notifications (org_id, user_id, email_plan) WHERE emailed_at IS NULL AND email_plan IN ('daily', 'weekly');

-- One row per digest that has a job scheduled: the primary key makes
-- scheduling idempotent when several app servers notify at once.
CREATE TABLE notification_digests (
    org_id   BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    period   TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),
    due_at   TIMESTAMPTZ NOT NULL,
    sent_at  TIMESTAMPTZ,
    PRIMARY KEY (org_id, user_id, period, due_at),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE notification_digests;
DROP INDEX notifications_digest;
ALTER TABLE notifications DROP COLUMN emailed_at;
ALTER TABLE notifications DROP COLUMN email_plan;
ALTER TABLE notifications DROP COLUMN in_app;
DROP TABLE notification_prefs;
