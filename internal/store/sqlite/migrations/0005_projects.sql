-- Projects: each owns the External ID its connections assume roles with
-- (lakemap-<id>). Names are unique; connections.project_id refers to id.
CREATE TABLE projects (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    external_id TEXT    NOT NULL UNIQUE,
    created     INTEGER NOT NULL
);
