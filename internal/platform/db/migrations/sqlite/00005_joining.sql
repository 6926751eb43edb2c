-- +goose Up
-- Joining the network. A person's account may exist before they can use it:
-- HR imports past leavers and current employees, records departures, and
-- approves applicants. activated_at is when the person first got in (set a
-- password from an invitation, or signed in with SSO); the invitation funnel
-- and the application matcher tell HR-made records from people by it.
ALTER TABLE users ADD COLUMN activated_at TIMESTAMP;
UPDATE users SET activated_at = created_at WHERE password_hash <> '';

-- HR's own record of the employment, kept apart from what the member writes
-- on their profile. Dates are ISO 'YYYY-MM-DD' text ('' when unknown): a
-- calendar day, not an instant, and the same on both databases.
ALTER TABLE member_internal ADD COLUMN hired_on TEXT NOT NULL DEFAULT '';
ALTER TABLE member_internal ADD COLUMN left_on TEXT NOT NULL DEFAULT '';
ALTER TABLE member_internal ADD COLUMN hr_department TEXT NOT NULL DEFAULT '';
ALTER TABLE member_internal ADD COLUMN hr_job_title TEXT NOT NULL DEFAULT '';
-- Where the record came from: manual, import, departure, scim, sso, application.
ALTER TABLE member_internal ADD COLUMN hr_source TEXT NOT NULL DEFAULT '';
-- An employee number names one person in an organization: imports are keyed by it.
DROP INDEX member_internal_employee_number;
CREATE UNIQUE INDEX member_internal_employee_number ON member_internal (org_id, employee_number) WHERE employee_number <> '';

-- Token kinds grow with the features (email verification, ...); the kind is
-- checked in Go. SQLite cannot drop a CHECK, so the table is rebuilt.
CREATE TABLE tokens_new (
    hash        TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    user_id     INTEGER,
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
INSERT INTO tokens_new SELECT hash, org_id, kind, user_id, email, role, created_by, created_at, expires_at, used_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
CREATE INDEX tokens_org_kind ON tokens (org_id, kind, created_at);

-- +goose Down
DROP INDEX member_internal_employee_number;
CREATE INDEX member_internal_employee_number ON member_internal (org_id, employee_number);
ALTER TABLE member_internal DROP COLUMN hr_source;
ALTER TABLE member_internal DROP COLUMN hr_job_title;
ALTER TABLE member_internal DROP COLUMN hr_department;
ALTER TABLE member_internal DROP COLUMN left_on;
ALTER TABLE member_internal DROP COLUMN hired_on;
ALTER TABLE users DROP COLUMN activated_at;
