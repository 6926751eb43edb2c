-- +goose Up
-- Groups: an automatic group's rule (JSON {"field","value"}; empty for open
-- and approval groups), one active group per name in an organization, and
-- the organization's setting on who may create groups.
ALTER TABLE groups ADD COLUMN rule TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX groups_active_name ON groups (org_id, name) WHERE archived_at IS NULL;
CREATE INDEX group_members_group ON group_members (org_id, group_id, state);

CREATE TABLE group_settings (
    org_id              BIGINT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    -- members_may_create lets employees and alumni create open and approval groups.
    members_may_create  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at          TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE group_settings;
DROP INDEX group_members_group;
DROP INDEX groups_active_name;
ALTER TABLE groups DROP COLUMN rule;
