-- Identity and tenancy: users, their roles in projects, browser sessions,
-- the one-time setup code of an empty catalog, and API tokens scoped to one
-- project. Secrets are kept only as hashes (see catalog.IdentityStore).
-- Users are disabled, never deleted, so nothing cascades from them but
-- sessions; deleting a project takes its memberships and tokens with it.
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE, -- normalised lower-case
    display_name  TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL
);

CREATE TABLE memberships (
    project_id TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created    INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    hash      TEXT    PRIMARY KEY, -- hex SHA-256 of the cookie value
    user_id   TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created   INTEGER NOT NULL,
    expires   INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE setup_codes (
    hash    TEXT    PRIMARY KEY, -- hex SHA-256 of the code
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    used    INTEGER
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    id          TEXT    PRIMARY KEY,
    project_id  TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE, -- hex SHA-256 of the token
    scope       TEXT    NOT NULL CHECK (scope IN ('read', 'readwrite')),
    connections TEXT    NOT NULL DEFAULT '[]', -- JSON array; empty: every connection
    read_only   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL,
    created_by  TEXT    NOT NULL DEFAULT '', -- user id; '' from the CLI
    last_used   INTEGER,
    revoked     INTEGER
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (project_id, name) WHERE revoked IS NULL;
CREATE INDEX api_tokens_project ON api_tokens (project_id, name);
