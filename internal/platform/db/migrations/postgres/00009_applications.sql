-- +goose Up
-- Applications from the public page: a former employee asks to join. The
-- row exists from the moment the form is sent, but staff only see it once
-- the applicant proved the email address is theirs (verified_at). Unverified
-- rows are deleted when their link expires.
CREATE TABLE applications (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id             BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('unverified', 'pending', 'approved', 'rejected')),
    email              TEXT NOT NULL,
    email_lower        TEXT NOT NULL,
    family_name        TEXT NOT NULL,
    given_name         TEXT NOT NULL DEFAULT '',
    family_kana        TEXT NOT NULL DEFAULT '',
    given_kana         TEXT NOT NULL DEFAULT '',
    joined_year        INTEGER NOT NULL DEFAULT 0,
    left_year          INTEGER NOT NULL DEFAULT 0,
    department         TEXT NOT NULL DEFAULT '',
    message            TEXT NOT NULL DEFAULT '',
    lang               TEXT NOT NULL DEFAULT 'ja',
    ip                 TEXT NOT NULL DEFAULT '',
    -- Only the hash of the emailed secret, as for tokens.
    verify_hash        TEXT NOT NULL UNIQUE,
    verify_expires_at  TIMESTAMPTZ NOT NULL,
    verified_at        TIMESTAMPTZ,
    -- The account the applicant was linked to or given, once approved.
    user_id            BIGINT,
    decided_by         BIGINT,
    decided_at         TIMESTAMPTZ,
    reject_reason      TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX applications_org_status ON applications (org_id, status, created_at);

-- Submissions of the form, for the rate limit. In the database so that
-- every server behind a load balancer counts the same submissions.
CREATE TABLE application_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    ip           TEXT NOT NULL,
    email_lower  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_attempts_ip ON application_attempts (org_id, ip, created_at);
CREATE INDEX application_attempts_email ON application_attempts (org_id, email_lower, created_at);

-- +goose Down
DROP TABLE application_attempts;
DROP TABLE applications;
