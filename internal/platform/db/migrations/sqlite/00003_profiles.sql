-- +goose Up
-- Profiles grow from the foundation's few facts to what alumni share about
-- themselves. Lists (departments, roles held, skills, interests, links) are
-- newline-separated text: they are shown and searched, never joined on.
ALTER TABLE profiles ADD COLUMN current_title TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN skills TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN interests TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN links TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN photo_key TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN open_rehire BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE profiles ADD COLUMN open_sidework BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE profiles ADD COLUMN open_referrals BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE profiles ADD COLUMN open_mentoring BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE profiles ADD COLUMN open_speaking BOOLEAN NOT NULL DEFAULT FALSE;
-- Visibility per field group: 'admins', 'members' or 'public' (the ID card).
ALTER TABLE profiles ADD COLUMN vis_photo TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_years TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_career TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_work TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_location TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_skills TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_interests TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_bio TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_links TEXT NOT NULL DEFAULT 'members';
ALTER TABLE profiles ADD COLUMN vis_open_to TEXT NOT NULL DEFAULT 'members';
-- Freshness: when the member last said "this is still right".
ALTER TABLE profiles ADD COLUMN confirmed_at TIMESTAMP;
ALTER TABLE profiles ADD COLUMN reminded_at TIMESTAMP;
CREATE INDEX profiles_left_year ON profiles (org_id, left_year);
CREATE INDEX profiles_industry ON profiles (org_id, industry);

-- Internal fields only admins see. A table of their own, so that no query
-- for a member-facing page can select them by accident.
CREATE TABLE member_internal (
    org_id              INTEGER NOT NULL,
    user_id             INTEGER NOT NULL,
    rehire_eligibility  TEXT NOT NULL DEFAULT '' CHECK (rehire_eligibility IN ('', 'eligible', 'conditional', 'not_eligible')),
    rehire_conditions   TEXT NOT NULL DEFAULT '',
    notes               TEXT NOT NULL DEFAULT '',
    employee_number     TEXT NOT NULL DEFAULT '',
    updated_at          TIMESTAMP NOT NULL,
    updated_by          INTEGER,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX member_internal_employee_number ON member_internal (org_id, employee_number);

-- Tokens for the JSON API, one per integration, created by admins.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    created_by    INTEGER,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE member_internal;
