-- +goose Up
-- Invitations: one person at a time or campaigns to many, each tracked from
-- sent to joined. "Joined" is not stored here: it is users.activated_at, so a
-- person who joins by SSO or any other path counts too. "Expired" is derived
-- from expires_at at read time.

-- Per-organization choices. No row means the defaults (open tracking on).
CREATE TABLE invite_settings (
    org_id       BIGINT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    track_opens  BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- A campaign targets every past leaver not yet joined (optionally narrowed
-- by leaving year and department) and/or a pasted list of emails.
CREATE TABLE invite_campaigns (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    intro        TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT 'ja',
    leavers      BOOLEAN NOT NULL DEFAULT FALSE,
    left_from    INTEGER NOT NULL DEFAULT 0,
    left_to      INTEGER NOT NULL DEFAULT 0,
    department   TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'draft',
    created_by   BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX invite_campaigns_org ON invite_campaigns (org_id, created_at);

-- The pasted list of a campaign. user_id is filled when the address is
-- matched to an account (or one is created) by the sending jobs.
CREATE TABLE invite_campaign_emails (
    org_id       BIGINT NOT NULL,
    campaign_id  BIGINT NOT NULL REFERENCES invite_campaigns(id) ON DELETE CASCADE,
    email_lower  TEXT NOT NULL,
    email        TEXT NOT NULL,
    family_name  TEXT NOT NULL DEFAULT '',
    given_name   TEXT NOT NULL DEFAULT '',
    user_id      BIGINT,
    PRIMARY KEY (campaign_id, email_lower)
);

CREATE TABLE invitations (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    campaign_id       BIGINT REFERENCES invite_campaigns(id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL,
    email             TEXT NOT NULL,
    lang              TEXT NOT NULL,
    -- Names the invitation in the open-tracking pixel; not the join secret.
    tracking_id       TEXT NOT NULL UNIQUE,
    emailed           BOOLEAN NOT NULL,
    created_by        BIGINT,
    sent_at           TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ,
    opened_at         TIMESTAMPTZ,
    clicked_at        TIMESTAMPTZ,
    reminders_sent    INTEGER NOT NULL DEFAULT 0,
    last_reminded_at  TIMESTAMPTZ
);
-- Never two invitations of one campaign to one person, however often a batch
-- runs. Single invitations (campaign_id NULL) are not constrained.
CREATE UNIQUE INDEX invitations_campaign_user ON invitations (campaign_id, user_id);
CREATE INDEX invitations_org_user ON invitations (org_id, user_id);

-- +goose Down
DROP TABLE invitations;
DROP TABLE invite_campaign_emails;
DROP TABLE invite_campaigns;
DROP TABLE invite_settings;
