-- +goose Up
-- SCIM 2.0 provisioning. Tokens for identity providers live apart from the
-- read-only API tokens: a SCIM token creates, changes and deactivates people,
-- so it must never be mistaken for (or listed with) a read token.
CREATE TABLE scim_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    created_by    INTEGER,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP
);
CREATE INDEX scim_tokens_org ON scim_tokens (org_id, created_at);

-- The people an identity provider manages. A row links a user to the
-- directory (with the IdP's own id for them); deleted_at is set when the IdP
-- deletes the user: the person and their history stay, SCIM stops seeing them.
CREATE TABLE scim_users (
    org_id       INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    external_id  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    deleted_at   TIMESTAMP,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX scim_users_external_id ON scim_users (org_id, external_id);

-- +goose Down
DROP TABLE scim_users;
DROP TABLE scim_tokens;
