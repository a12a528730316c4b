-- Bearer tokens of the MCP HTTP endpoint. Only the SHA-256 of a token is
-- kept; a revoked token stays listed (revoked set) so an audit can tell who
-- had access, and its name may be given to a new token.
CREATE TABLE mcp_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE,
    connections TEXT    NOT NULL DEFAULT '[]', -- JSON array; empty: every connection
    read_only   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL,
    revoked     INTEGER
);
CREATE UNIQUE INDEX mcp_tokens_live_name ON mcp_tokens (name) WHERE revoked IS NULL;
