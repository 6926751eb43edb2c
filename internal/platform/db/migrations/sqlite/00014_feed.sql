-- +goose Up
-- The feed: posts with an audience, their comments, reactions and reports,
-- and the self-introduction relay whose links are posts.
CREATE TABLE relays (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    started_by      INTEGER NOT NULL,
    -- the member who may write the next link; changes with a compare-and-set
    -- so that two people can never both write it.
    named_user_id   INTEGER,
    links           INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (org_id, id)
);
CREATE INDEX relays_org ON relays (org_id, id);

CREATE TABLE posts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    author_id          INTEGER NOT NULL,
    body               TEXT NOT NULL,
    -- body_html is the sanitized rendering, made once when written.
    body_html          TEXT NOT NULL,
    audience           TEXT NOT NULL CHECK (audience IN ('network', 'employees_alumni', 'alumni', 'group')),
    audience_group_id  INTEGER,
    -- photos are up to four photo store keys, separated by spaces.
    photos             TEXT NOT NULL DEFAULT '',
    relay_id           INTEGER,
    comment_count      INTEGER NOT NULL DEFAULT 0,
    hidden_at          TIMESTAMP,
    hidden_by          INTEGER,
    created_at         TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES users(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, audience_group_id) REFERENCES groups(org_id, id) ON DELETE CASCADE,
    CHECK ((audience = 'group') = (audience_group_id IS NOT NULL))
);
-- The feed walks posts newest first by id (keyset pagination).
CREATE INDEX posts_feed ON posts (org_id, id DESC);
CREATE INDEX posts_group ON posts (org_id, audience_group_id, id DESC) WHERE audience_group_id IS NOT NULL;
CREATE INDEX posts_author ON posts (org_id, author_id, id DESC);

CREATE TABLE post_comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL,
    post_id     INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, post_id) REFERENCES posts(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, author_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX post_comments_post ON post_comments (org_id, post_id, id);

CREATE TABLE post_reactions (
    org_id      INTEGER NOT NULL,
    post_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('like', 'love', 'party', 'clap', 'laugh')),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, post_id, user_id, kind),
    FOREIGN KEY (org_id, post_id) REFERENCES posts(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

CREATE TABLE post_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL,
    post_id      INTEGER NOT NULL,
    reporter_id  INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    resolved_at  TIMESTAMP,
    UNIQUE (org_id, post_id, reporter_id),
    FOREIGN KEY (org_id, post_id) REFERENCES posts(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, reporter_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX post_reports_open ON post_reports (org_id, id) WHERE resolved_at IS NULL;

CREATE TABLE relay_links (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL,
    relay_id       INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    -- intro: wrote an introduction (post_id); pass: named someone else instead.
    kind           TEXT NOT NULL CHECK (kind IN ('intro', 'pass')),
    post_id        INTEGER,
    named_user_id  INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, relay_id, position),
    UNIQUE (org_id, relay_id, user_id),
    FOREIGN KEY (org_id, relay_id) REFERENCES relays(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE relay_links;
DROP TABLE post_reports;
DROP TABLE post_reactions;
DROP TABLE post_comments;
DROP TABLE posts;
DROP TABLE relays;
