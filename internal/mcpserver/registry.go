package mcpserver

import (
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Cost notes that end every description, so an agent can tell a cheap
// catalog lookup from a live, billed AWS call.
const (
	costCatalog = " Cost: catalog lookup, no AWS call."
	costLive    = " Cost: one or a few live AWS calls through the named connection (subject to its IAM policy)."
	costWrite   = " Cost: live AWS call that changes the account; only on ReadWrite connections."
)

// allTools lists every tool lakemap serves, in the order clients see them.
// The whole MCP surface is declared here; visibility per session follows
// each tool's class and connection families.
func allTools() []toolDef {
	return []toolDef{
		// Catalog tools: every session.
		catalogDef(&mcp.Tool{Name: "list_connections", Annotations: readAnn("List connections", false),
			Description: "Lists the connections (AWS integrations) this session can use: name, source type, region, access level (ReadOnly or ReadWrite) and whether write tools work on it. Live tools take one of these names as connection." + costCatalog},
			listConnections),
		catalogDef(&mcp.Tool{Name: "search_catalog", Annotations: readAnn("Search the catalog", false),
			Description: "Full-text search over the catalog: names, FQNs, descriptions, column names and comments of databases, tables, columns, buckets, containers and more. Returns ranked hits (fqn, kind, name, connection, short description), the total and a cursor for the next page." + costCatalog},
			searchCatalog),
		catalogDef(&mcp.Tool{Name: "get_entity", Annotations: readAnn("Get an entity", false),
			Description: "Returns one catalog entity by FQN with its attributes (long values clipped and named in clippedFields) and a page of its children: a table's columns in table order, a database's tables, a bucket's containers. Unknown FQNs get did-you-mean suggestions." + costCatalog},
			getEntity),
		catalogDef(&mcp.Tool{Name: "list_databases", Annotations: readAnn("List databases", false),
			Description: "Lists Glue databases, of one connection or all, with location and table count. Paged by cursor." + costCatalog},
			listUnderService(catalog.KindDatabase, "databases")),
		catalogDef(&mcp.Tool{Name: "list_tables", Annotations: readAnn("List tables", false),
			Description: "Lists the tables of a database (parent = database FQN) with type, format, column count and S3 location. Paged by cursor; total from the last scan." + costCatalog},
			listUnderParent(catalog.KindTable, []catalog.Kind{catalog.KindDatabase}, "tableCount")),
		catalogDef(&mcp.Tool{Name: "get_table_schema", Annotations: readAnn("Get a table schema", false),
			Description: "Returns a table's schema: columns in order (name, type, comment, partition key), partition keys, format, location, view SQL. Wide tables are paged by cursor with columnsTotal." + costCatalog},
			getTableSchema),
		catalogDef(&mcp.Tool{Name: "get_lineage", Annotations: readAnn("Get lineage", false),
			Description: "Returns table-level lineage around an entity, nearest first: edges from → to with their kind (view, Athena query, storage location), hop and evidence; upstream, downstream or both, up to a depth. Paged by cursor." + costCatalog},
			getLineage),
		catalogDef(&mcp.Tool{Name: "list_buckets", Annotations: readAnn("List buckets", false),
			Description: "Lists S3 buckets in the catalog, of one connection or all, with region, size and object count when known. Paged by cursor." + costCatalog},
			listUnderService(catalog.KindBucket, "buckets")),
		catalogDef(&mcp.Tool{Name: "list_containers", Annotations: readAnn("List containers", false),
			Description: "Lists the containers (structured data prefixes: format, partition columns, file count, size) under a bucket or container FQN. Paged by cursor." + costCatalog},
			listUnderParent(catalog.KindContainer, []catalog.Kind{catalog.KindBucket, catalog.KindContainer}, "")),
		catalogDef(&mcp.Tool{Name: "get_recent_changes", Annotations: readAnn("Get recent changes", false),
			Description: "Returns what scans found changed since a time, newest first: entities added, updated (with the changed fields), deleted and restored; column and partition-key changes are flagged schemaChange. Filter by connection, parent FQN or kinds; paged by cursor." + costCatalog},
			getRecentChanges),

		// Live reads: ReadOnly and ReadWrite connections.
		liveDef(&mcp.Tool{Name: "s3_list_objects", Annotations: readAnn("List S3 objects", true),
			Description: "Lists objects in an S3 bucket live: key, size, last modified, storage class; with a delimiter, common prefixes (folders) too. Paged by cursor." + costLive},
			liveRead, s3AndGlue, s3ListObjects),
		liveDef(&mcp.Tool{Name: "s3_read_object", Annotations: readAnn("Read an S3 object", true),
			Description: "Reads a slice of a text object from S3 (default 4,000 bytes, at most 20,000), with its total size and the offset to read on from. Binary objects (Parquet, images, compressed...) are refused with a clear error rather than returned garbled." + costLive},
			liveRead, s3AndGlue, s3ReadObject),
		liveDef(&mcp.Tool{Name: "s3_get_object_metadata", Annotations: readAnn("Get S3 object metadata", true),
			Description: "Returns an S3 object's metadata without its content: size, content type and encoding, ETag, last modified, storage class, version, encryption, user metadata." + costLive},
			liveRead, s3AndGlue, s3GetObjectMetadata),
		liveDef(&mcp.Tool{Name: "athena_list_query_executions", Annotations: readAnn("List Athena queries", true),
			Description: "Lists recent Athena query executions of a workgroup, newest first: id, state, SQL start, times, data scanned. Paged by cursor." + costLive},
			liveRead, glueOnly, athenaListQueryExecutions),
		liveDef(&mcp.Tool{Name: "athena_get_query_execution", Annotations: readAnn("Get an Athena query", true),
			Description: "Returns one Athena query execution: state, error or reason, SQL, database, times, data scanned and result location. Use it to poll a running query." + costLive},
			liveRead, glueOnly, athenaGetQueryExecution),
		liveDef(&mcp.Tool{Name: "athena_get_query_results", Annotations: readAnn("Get Athena results", true),
			Description: "Returns result rows of a finished Athena query: column names and types, rows (default 50, at most 1,000 per page, long values clipped), and a cursor for more." + costLive},
			liveRead, glueOnly, athenaGetQueryResults),
		liveDef(&mcp.Tool{Name: "glue_get_column_statistics", Annotations: readAnn("Get column statistics", true),
			Description: "Returns Glue column statistics of a table (nulls, distinct values, min/max, lengths, true/false counts), for named columns or the table's catalogued columns (first 100)." + costLive},
			liveRead, glueOnly, glueGetColumnStatistics),
		liveDef(&mcp.Tool{Name: "glue_list_data_quality_rulesets", Annotations: readAnn("List data quality rulesets", true),
			Description: "Lists Glue Data Quality rulesets, optionally of one table: name, target table, rule count, dates. Paged by cursor." + costLive},
			liveRead, glueOnly, glueListRulesets),
		liveDef(&mcp.Tool{Name: "glue_get_data_quality_ruleset", Annotations: readAnn("Get a data quality ruleset", true),
			Description: "Returns one Glue Data Quality ruleset with its rules in DQDL, target table and dates." + costLive},
			liveRead, glueOnly, glueGetRuleset),
		liveDef(&mcp.Tool{Name: "glue_get_data_quality_result", Annotations: readAnn("Get data quality results", true),
			Description: "Returns Glue Data Quality results by resultId, by evaluation runId (with the run's status), or a table's latest: score and each rule's PASS/FAIL with its message, failures first." + costLive},
			liveRead, glueOnly, glueGetDQResult),

		// Live writes: ReadWrite connections only.
		liveDef(&mcp.Tool{Name: "athena_start_query", Annotations: writeAnn("Run an Athena query", true, false),
			Description: "Starts an Athena query and waits for it a bounded time (default 20 s, at most 60 s), then returns its execution id and state; a query still running keeps running, poll it with athena_get_query_execution. Marked destructive because SQL may be DDL or DML (DROP, INSERT, CTAS). Athena bills by data scanned." + costWrite},
			liveWrite, glueOnly, athenaStartQuery),
		liveDef(&mcp.Tool{Name: "athena_stop_query", Annotations: writeAnn("Stop an Athena query", false, true),
			Description: "Asks Athena to cancel a running query execution; returns once the stop is requested." + costWrite},
			liveWrite, glueOnly, athenaStopQuery),
		liveDef(&mcp.Tool{Name: "glue_create_data_quality_ruleset", Annotations: writeAnn("Create a data quality ruleset", false, false),
			Description: "Creates a Glue Data Quality ruleset from DQDL rules, optionally targeting a table. Returns its name." + costWrite},
			liveWrite, glueOnly, glueCreateRuleset),
		liveDef(&mcp.Tool{Name: "glue_update_data_quality_ruleset", Annotations: writeAnn("Update a data quality ruleset", true, true),
			Description: "Replaces a Glue Data Quality ruleset's rules and/or description (overwrites the old rules)." + costWrite},
			liveWrite, glueOnly, glueUpdateRuleset),
		liveDef(&mcp.Tool{Name: "glue_delete_data_quality_ruleset", Annotations: writeAnn("Delete a data quality ruleset", true, true),
			Description: "Deletes a Glue Data Quality ruleset." + costWrite},
			liveWrite, glueOnly, glueDeleteRuleset),
		liveDef(&mcp.Tool{Name: "glue_start_data_quality_evaluation", Annotations: writeAnn("Start a data quality evaluation", false, false),
			Description: "Starts a Glue Data Quality evaluation run of rulesets against a table (runs a billed Glue job as the given role). Returns the run id; glue_get_data_quality_result shows its progress and results." + costWrite},
			liveWrite, glueOnly, glueStartEvaluation),
		liveDef(&mcp.Tool{Name: "glue_update_column_statistics", Annotations: writeAnn("Update column statistics", true, true),
			Description: "Writes Glue column statistics of a table (up to 25 columns per call), overwriting existing ones. Returns the columns written and any Glue refused." + costWrite},
			liveWrite, glueOnly, glueUpdateColumnStatistics),
		liveDef(&mcp.Tool{Name: "glue_delete_column_statistics", Annotations: writeAnn("Delete column statistics", true, true),
			Description: "Deletes the Glue statistics of one column of a table." + costWrite},
			liveWrite, glueOnly, glueDeleteColumnStatistics),
		liveDef(&mcp.Tool{Name: "s3_put_object", Annotations: writeAnn("Write an S3 object", true, true),
			Description: "Writes a text object (at most 1 MiB) to S3, replacing any object with that key. Returns its ETag and version." + costWrite},
			liveWrite, s3AndGlue, s3PutObject),
		liveDef(&mcp.Tool{Name: "s3_delete_object", Annotations: writeAnn("Delete an S3 object", true, true),
			Description: "Deletes an S3 object (on a versioned bucket: adds a delete marker, or removes the given version for good)." + costWrite},
			liveWrite, s3Only, s3DeleteObject),
	}
}
