-- +goose Up
-- Single sign-on with the organization's OpenID Connect provider. One
-- provider per organization. The client secret is write-only in the UI; it is
-- kept here because the token exchange needs it in clear.
CREATE TABLE sso_settings (
    org_id           INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    issuer           TEXT NOT NULL DEFAULT '',
    client_id        TEXT NOT NULL DEFAULT '',
    client_secret    TEXT NOT NULL DEFAULT '',
    display_name     TEXT NOT NULL DEFAULT '',
    -- Lower-case domains, one per line: a verified address at one of them may
    -- pre-register as an employee.
    allowed_domains  TEXT NOT NULL DEFAULT '',
    enabled          BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMP NOT NULL,
    updated_by       INTEGER
);

-- A person at the provider (issuer + subject, which never changes, unlike
-- the email) linked to one account. An account has at most one identity per
-- issuer, so that a reassigned address at the provider cannot take over an
-- account already linked to someone else.
CREATE TABLE sso_identities (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    last_signin_at  TIMESTAMP NOT NULL,
    UNIQUE (org_id, issuer, subject),
    UNIQUE (org_id, user_id, issuer),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

-- Sign-ins in flight, between the redirect to the provider and its answer,
-- found by the hash of state and bound to the browser by the hash of a cookie.
CREATE TABLE sso_logins (
    state_hash     TEXT PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    browser_hash   TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    code_verifier  TEXT NOT NULL,
    next_path      TEXT NOT NULL DEFAULT '',
    join_secret    TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL
);
CREATE INDEX sso_logins_expires ON sso_logins (expires_at);

-- +goose Down
DROP TABLE sso_logins;
DROP TABLE sso_identities;
DROP TABLE sso_settings;
