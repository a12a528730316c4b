-- Connections made through the API carry what a workflow file says besides
-- the connection: the scan options (sourceConfig.config, as JSON), the names
-- of the sealed secret fields (so the read model can say which are set
-- without opening them) and an optional schedule: a cron expression or an
-- interval in nanoseconds (0: none).
ALTER TABLE connections ADD COLUMN source_config     BLOB;
ALTER TABLE connections ADD COLUMN secret_fields     TEXT    NOT NULL DEFAULT '[]';
ALTER TABLE connections ADD COLUMN schedule_cron     TEXT    NOT NULL DEFAULT '';
ALTER TABLE connections ADD COLUMN schedule_interval INTEGER NOT NULL DEFAULT 0;
-- A project's connections are read by project: the tenancy filter is in SQL.
CREATE INDEX connections_project ON connections (project_id, name);
