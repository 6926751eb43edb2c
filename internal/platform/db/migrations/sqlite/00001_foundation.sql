-- +goose Up
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    name_ja     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email          TEXT NOT NULL,
    email_lower    TEXT NOT NULL,
    password_hash  TEXT NOT NULL DEFAULT '',
    family_name    TEXT NOT NULL DEFAULT '',
    given_name     TEXT NOT NULL DEFAULT '',
    family_kana    TEXT NOT NULL DEFAULT '',
    given_kana     TEXT NOT NULL DEFAULT '',
    family_romaji  TEXT NOT NULL DEFAULT '',
    given_romaji   TEXT NOT NULL DEFAULT '',
    locale         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, email_lower),
    UNIQUE (org_id, id)
);

CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'supporter', 'employee', 'alumni')),
    created_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX memberships_one_active ON memberships (org_id, user_id) WHERE ended_at IS NULL;
CREATE INDEX memberships_org_role ON memberships (org_id, role) WHERE ended_at IS NULL;

CREATE TABLE profiles (
    org_id           INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    joined_year      INTEGER NOT NULL DEFAULT 0,
    left_year        INTEGER NOT NULL DEFAULT 0,
    department       TEXT NOT NULL DEFAULT '',
    job_title        TEXT NOT NULL DEFAULT '',
    current_company  TEXT NOT NULL DEFAULT '',
    industry         TEXT NOT NULL DEFAULT '',
    prefecture       TEXT NOT NULL DEFAULT '',
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    org_id        INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (org_id, user_id);

CREATE TABLE tokens (
    hash        TEXT PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('invite', 'reset')),
    user_id     INTEGER,
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX tokens_org_kind ON tokens (org_id, kind, created_at);

CREATE TABLE login_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL,
    email_lower  TEXT NOT NULL,
    ip           TEXT NOT NULL,
    success      BOOLEAN NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (org_id, email_lower, created_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, created_at);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    actor_user_id  INTEGER,
    actor_label    TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    target         TEXT NOT NULL DEFAULT '',
    ip             TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_org_time ON audit_log (org_id, id DESC);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_at        TIMESTAMP NOT NULL,
    locked_until  TIMESTAMP,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP
);
CREATE INDEX jobs_ready ON jobs (state, run_at);

-- +goose Down
DROP TABLE jobs;
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE profiles;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organizations;
