-- +goose Up
-- Community: the tables several capabilities share. Groups are an audience
-- for posts and events; notifications are written by every capability.
CREATE TABLE groups (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    -- open: anyone joins; approval: a group admin approves; auto: membership follows a rule on profiles.
    kind         TEXT NOT NULL CHECK (kind IN ('open', 'approval', 'auto')),
    created_by   BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    archived_at  TIMESTAMPTZ,
    UNIQUE (org_id, id)
);
CREATE INDEX groups_org ON groups (org_id, archived_at);

CREATE TABLE group_members (
    org_id      BIGINT NOT NULL,
    group_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    -- pending: asked to join an approval group; member: in the group.
    state       TEXT NOT NULL CHECK (state IN ('pending', 'member')),
    is_manager  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, group_id, user_id),
    FOREIGN KEY (org_id, group_id) REFERENCES groups(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_user ON group_members (org_id, user_id, state);

CREATE TABLE notifications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    actor_id    BIGINT,
    kind        TEXT NOT NULL,
    category    TEXT NOT NULL,
    -- args is a JSON object of the message's placeholders; the text is
    -- rendered in the reader's language when shown.
    args        TEXT NOT NULL DEFAULT '{}',
    link        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_user ON notifications (org_id, user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (org_id, user_id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE group_members;
DROP TABLE groups;
