-- +goose Up
-- Events: online, offline or hybrid gatherings with a capacity and a
-- waitlist. Times are stored in UTC; tz is the IANA zone the organizer chose,
-- used for display and for the calendar files.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    -- proposed / changes_requested / declined: a member's proposal under review;
    -- published: visible to its audience; cancelled: kept for the calendars.
    status             TEXT NOT NULL CHECK (status IN ('proposed', 'changes_requested', 'declined', 'published', 'cancelled')),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    format             TEXT NOT NULL CHECK (format IN ('online', 'offline', 'hybrid')),
    tz                 TEXT NOT NULL DEFAULT 'Asia/Tokyo',
    starts_at          TIMESTAMP NOT NULL,
    ends_at            TIMESTAMP NOT NULL,
    venue              TEXT NOT NULL DEFAULT '',
    online_url         TEXT NOT NULL DEFAULT '',
    -- 0 means unlimited.
    capacity           INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    deadline_at        TIMESTAMP,
    audience           TEXT NOT NULL DEFAULT 'network',
    audience_group_id  INTEGER,
    -- Offline policy, for offline and hybrid events.
    alcohol            BOOLEAN NOT NULL DEFAULT FALSE,
    conduct            TEXT NOT NULL DEFAULT '',
    -- iCalendar SEQUENCE: raised whenever time, place or status changes.
    sequence           INTEGER NOT NULL DEFAULT 0,
    review_message     TEXT NOT NULL DEFAULT '',
    created_by         INTEGER,
    reviewed_by        INTEGER,
    -- The start time each reminder was sent for, so a moved event is reminded again.
    reminded_day_for   TIMESTAMP,
    reminded_hour_for  TIMESTAMP,
    feedback_asked_at  TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    cancelled_at       TIMESTAMP,
    UNIQUE (org_id, id)
);
CREATE INDEX events_org_start ON events (org_id, status, starts_at);

CREATE TABLE event_registrations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               INTEGER NOT NULL,
    event_id             INTEGER NOT NULL,
    user_id              INTEGER NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
    -- Secret shown as a QR code to the participant and scanned at the door.
    checkin_code         TEXT NOT NULL,
    checked_in_at        TIMESTAMP,
    -- When the participant accepted the code of conduct (offline and hybrid events).
    conduct_accepted_at  TIMESTAMP,
    -- Waitlist order: the time of the latest (re)registration.
    queued_at            TIMESTAMP NOT NULL,
    promoted_at          TIMESTAMP,
    cancelled_at         TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    UNIQUE (org_id, event_id, user_id),
    UNIQUE (org_id, checkin_code),
    FOREIGN KEY (org_id, event_id) REFERENCES events(org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX event_registrations_event ON event_registrations (org_id, event_id, status, queued_at);
CREATE INDEX event_registrations_user ON event_registrations (org_id, user_id, status);

CREATE TABLE event_feedback (
    org_id      INTEGER NOT NULL,
    event_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, event_id, user_id),
    FOREIGN KEY (org_id, event_id) REFERENCES events(org_id, id) ON DELETE CASCADE
);

-- Incident reports reach admins only; event_id is NULL for a general report.
CREATE TABLE event_incidents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_id     INTEGER,
    reporter_id  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX event_incidents_org ON event_incidents (org_id, created_at);

-- The secret of each member's personal calendar feed. Stored as a SHA-256
-- hash; the URL is shown once when it is made.
CREATE TABLE event_calendar_tokens (
    org_id      INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE event_calendar_tokens;
DROP TABLE event_incidents;
DROP TABLE event_feedback;
DROP TABLE event_registrations;
DROP TABLE events;
