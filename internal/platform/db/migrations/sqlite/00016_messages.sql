-- +goose Up
-- Messages: direct conversations between two members, and each member's
-- thread with the company (the HR inbox every admin shares).
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    -- direct: user_a < user_b, one conversation per pair; inbox: user_a is
    -- the member writing to the company, user_b is NULL.
    kind             TEXT NOT NULL CHECK (kind IN ('direct', 'inbox')),
    user_a           INTEGER NOT NULL,
    user_b           INTEGER,
    -- The last message each side has read; for the inbox, b is the company
    -- (shared by all admins).
    a_read_id        INTEGER NOT NULL DEFAULT 0,
    b_read_id        INTEGER NOT NULL DEFAULT 0,
    last_message_id  INTEGER NOT NULL DEFAULT 0,
    last_message_at  TIMESTAMP NOT NULL,
    closed_at        TIMESTAMP,
    closed_by        INTEGER,
    created_at       TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    CHECK ((kind = 'direct' AND user_b IS NOT NULL AND user_a < user_b) OR (kind = 'inbox' AND user_b IS NULL)),
    FOREIGN KEY (org_id, user_a) REFERENCES users(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_b) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX conversations_pair ON conversations (org_id, user_a, user_b) WHERE kind = 'direct';
CREATE UNIQUE INDEX conversations_inbox ON conversations (org_id, user_a) WHERE kind = 'inbox';
CREATE INDEX conversations_b ON conversations (org_id, user_b);
CREATE INDEX conversations_inbox_recent ON conversations (org_id, kind, last_message_at);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL,
    conversation_id  INTEGER NOT NULL,
    -- sender_id is who wrote it, also for a reply as the company (the
    -- member sees the organization's name; staff see the admin).
    sender_id        INTEGER NOT NULL,
    as_company       BOOLEAN NOT NULL DEFAULT FALSE,
    body             TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, conversation_id) REFERENCES conversations(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, sender_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation ON messages (org_id, conversation_id, id);
-- The send rate limit counts a sender's recent messages.
CREATE INDEX messages_sender_recent ON messages (org_id, sender_id, created_at);

CREATE TABLE message_blocks (
    org_id      INTEGER NOT NULL,
    blocker_id  INTEGER NOT NULL,
    blocked_id  INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, blocker_id, blocked_id),
    FOREIGN KEY (org_id, blocker_id) REFERENCES users(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, blocked_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX message_blocks_blocked ON message_blocks (org_id, blocked_id);

-- +goose Down
DROP TABLE message_blocks;
DROP TABLE messages;
DROP TABLE conversations;
