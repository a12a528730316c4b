package catalog

import (
	"fmt"
	"sort"
)

// Kind names a type of catalogued entity.
type Kind string

// The kinds lakemap knows. Every source, the store, search, API, UI and MCP read
// their declarations (Specs) instead of special-casing kinds.
const (
	KindService Kind = "service" // root of one workflow's entities: the serviceName

	// Glue and Athena.
	KindDatabase    Kind = "database"
	KindTable       Kind = "table"
	KindColumn      Kind = "column"
	KindPartition   Kind = "partition"
	KindFunction    Kind = "function" // user-defined function
	KindDataCatalog Kind = "data_catalog"
	KindWorkgroup   Kind = "workgroup"
	KindQuery       Kind = "query_execution"

	// S3.
	KindBucket    Kind = "bucket"
	KindContainer Kind = "container"
	KindObject    Kind = "object"

	// DataZone.
	KindDomain       Kind = "domain"
	KindProject      Kind = "project"
	KindEnvironment  Kind = "environment"
	KindEnvProfile   Kind = "environment_profile"
	KindDataSource   Kind = "data_source"
	KindAsset        Kind = "asset"
	KindListing      Kind = "listing"
	KindGlossary     Kind = "glossary"
	KindGlossaryTerm Kind = "glossary_term"
)

// FieldType is the JSON type of an attribute.
type FieldType string

const (
	String FieldType = "string"
	Int    FieldType = "integer"
	Float  FieldType = "number"
	Bool   FieldType = "boolean"
	Time   FieldType = "time" // RFC 3339 string
	Object FieldType = "object"
	List   FieldType = "array"
)

// Field documents one attribute of a kind.
type Field struct {
	Name string    `json:"name"`
	Type FieldType `json:"type"`
	Doc  string    `json:"doc"`
}

// KindSpec declares a kind once: where it sits and what it carries.
type KindSpec struct {
	Kind    Kind    `json:"kind"`
	Title   string  `json:"title"`
	Parents []Kind  `json:"parents"`
	Fields  []Field `json:"fields"`
	// Searchable kinds appear in full-text search results. Partitions,
	// objects and query executions are too numerous to rank usefully.
	Searchable bool `json:"searchable"`
}

var specs = map[Kind]KindSpec{}

func declare(s KindSpec) {
	if _, dup := specs[s.Kind]; dup {
		panic(fmt.Sprintf("catalog: kind %q declared twice", s.Kind))
	}
	specs[s.Kind] = s
}

// Spec returns the declaration of kind.
func Spec(kind Kind) (KindSpec, bool) {
	s, ok := specs[kind]
	return s, ok
}

// Kinds lists every declared kind, sorted.
func Kinds() []KindSpec {
	out := make([]KindSpec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// ParseKind validates a kind typed by a user.
func ParseKind(s string) (Kind, error) {
	if _, ok := specs[Kind(s)]; ok {
		return Kind(s), nil
	}
	names := make([]string, 0, len(specs))
	for _, sp := range Kinds() {
		names = append(names, string(sp.Kind))
	}
	return "", fmt.Errorf("unknown kind %q (known: %v)", s, names)
}

// The declarations are immutable data; init only fills the lookup table.
func init() {
	declare(KindSpec{Kind: KindService, Title: "Service", Searchable: true, Fields: []Field{
		{"sourceType", String, "workflow source.type: glue, athena, s3, datazone"},
		{"region", String, "AWS region scanned"},
		{"accountId", String, "AWS account the role belongs to"},
		{"catalogId", String, "Glue catalog id scanned, when not the role's own"},
		{"workgroup", String, "Athena workgroup of an athena connection"},
		{"s3StagingDir", String, "Athena query result location of an athena connection"},
	}})
	declare(KindSpec{Kind: KindDatabase, Title: "Database", Parents: []Kind{KindService, KindDataCatalog}, Searchable: true, Fields: []Field{
		{"catalogId", String, "Glue catalog id (account) holding the database"},
		{"locationUri", String, "default S3 location"},
		{"parameters", Object, "Glue parameters"},
		{"tableCount", Int, "tables seen in the last scan"},
	}})
	declare(KindSpec{Kind: KindTable, Title: "Table", Parents: []Kind{KindDatabase}, Searchable: true, Fields: []Field{
		{"tableType", String, "EXTERNAL_TABLE, MANAGED_TABLE, VIRTUAL_VIEW, ICEBERG, GOVERNED..."},
		{"isView", Bool, "true for views"},
		{"format", String, "iceberg, parquet, csv, json... when known"},
		{"owner", String, "Glue owner"},
		{"location", String, "S3 location of the data"},
		{"inputFormat", String, "Hadoop input format class"},
		{"outputFormat", String, "Hadoop output format class"},
		{"serde", String, "SerDe library"},
		{"serdeParameters", Object, "SerDe parameters"},
		{"parameters", Object, "table parameters"},
		{"partitionKeys", List, "partition key columns: [{name, type, comment}]"},
		{"columnCount", Int, "top-level columns, partition keys included"},
		{"viewOriginalText", String, "view SQL as stored by Glue"},
		{"viewExpandedText", String, "expanded view SQL"},
		{"lastAccessTime", Time, "Glue LastAccessTime"},
		{"retention", Int, "retention time"},
		{"versionId", String, "Glue table version id"},
		{"partitionCount", Int, "partitions seen in the last scan"},
		{"newestPartition", String, "name of the newest partition, e.g. dt=2024-01-01"},
		{"newestPartitionValues", List, "values of the newest partition"},
		{"newestPartitionCreated", Time, "creation time of the newest partition: how fresh the table is"},
		{"dataZoneAssets", List, "FQNs of the DataZone assets describing this table (governed in DataZone as ...), linked after each scan"},
	}})
	declare(KindSpec{Kind: KindColumn, Title: "Column", Parents: []Kind{KindTable, KindColumn, KindContainer}, Searchable: true, Fields: []Field{
		{"dataType", String, "type as the source spells it, e.g. struct<a:int,b:string>"},
		{"ordinal", Int, "position in the table, from 0"},
		{"isPartitionKey", Bool, "true for partition keys"},
		{"parameters", Object, "column parameters"},
		{"statistics", Object, "Glue column statistics: nulls, distinct values, min/max, lengths, true/false counts"},
	}})
	declare(KindSpec{Kind: KindPartition, Title: "Partition", Parents: []Kind{KindTable}, Fields: []Field{
		{"values", List, "partition values, in partition-key order"},
		{"location", String, "S3 location"},
		{"parameters", Object, "partition parameters"},
		{"lastAccessTime", Time, "Glue LastAccessTime"},
		{"format", String, "data format"},
		{"lastAnalyzedTime", Time, "when column statistics were last computed"},
	}})
	declare(KindSpec{Kind: KindFunction, Title: "Function", Parents: []Kind{KindDatabase}, Searchable: true, Fields: []Field{
		{"className", String, "implementing class"},
		{"ownerName", String, "owner"},
		{"ownerType", String, "USER, ROLE or GROUP"},
		{"resourceUris", List, "[{type, uri}]"},
		{"functionType", String, "function type"},
	}})
	declare(KindSpec{Kind: KindDataCatalog, Title: "Athena data catalog", Parents: []Kind{KindService}, Searchable: true, Fields: []Field{
		{"type", String, "GLUE, LAMBDA, HIVE, FEDERATED"},
		{"parameters", Object, "catalog parameters"},
		{"status", String, "catalog status"},
		{"connectionType", String, "federated connection type"},
		{"error", String, "catalog error message"},
		{"catalogId", String, "Glue catalog id"},
	}})
	declare(KindSpec{Kind: KindWorkgroup, Title: "Athena workgroup", Parents: []Kind{KindService}, Searchable: true, Fields: []Field{
		{"state", String, "ENABLED or DISABLED"},
		{"outputLocation", String, "query result location"},
		{"engineVersion", String, "effective engine version"},
		{"enforceWorkGroupConfiguration", Bool, "workgroup settings override client settings"},
		{"bytesScannedCutoffPerQuery", Int, "per-query data limit"},
		{"selectedEngineVersion", String, "engine version chosen for the workgroup"},
		{"publishCloudWatchMetricsEnabled", Bool, "metrics published to CloudWatch"},
		{"requesterPaysEnabled", Bool, "queries may read requester-pays buckets"},
		{"executionRole", String, "IAM role of Spark-enabled workgroups"},
		{"expectedBucketOwner", String, "owner expected for the result bucket"},
		{"encryption", Object, "result encryption configuration"},
	}})
	declare(KindSpec{Kind: KindQuery, Title: "Athena query execution", Parents: []Kind{KindWorkgroup}, Fields: []Field{
		{"query", String, "SQL text"},
		{"state", String, "QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED"},
		{"database", String, "query database"},
		{"submitted", Time, "submission time"},
		{"completed", Time, "completion time"},
		{"dataScannedBytes", Int, "bytes scanned"},
		{"engineExecutionMillis", Int, "engine time"},
		{"outputLocation", String, "result location"},
		{"catalog", String, "data catalog of the query"},
		{"statementType", String, "DDL, DML or UTILITY"},
		{"substatementType", String, "e.g. SELECT, CREATE_TABLE_AS_SELECT"},
		{"workgroup", String, "workgroup that ran the query"},
		{"stateChangeReason", String, "why the state changed"},
		{"errorMessage", String, "error of a failed query"},
		{"totalExecutionMillis", Int, "total time"},
		{"queueMillis", Int, "time queued"},
		{"engineVersion", String, "engine version used"},
	}})
	declare(KindSpec{Kind: KindBucket, Title: "S3 bucket", Parents: []Kind{KindService}, Searchable: true, Fields: []Field{
		{"region", String, "bucket region"},
		{"versioning", String, "Enabled, Suspended or empty"},
		{"tags", Object, "bucket tags"},
		{"policy", Object, "bucket policy document"},
		{"sizeBytes", Int, "CloudWatch BucketSizeBytes (absent when unknown)"},
		{"objectCount", Int, "CloudWatch NumberOfObjects (absent when unknown)"},
		{"sizeBytesByStorageType", Object, "CloudWatch BucketSizeBytes per storage type"},
		{"metricsAt", Time, "time of the CloudWatch datapoints"},
		{"mfaDelete", String, "MFA delete status"},
		{"policyText", String, "bucket policy as written, when it is not valid JSON"},
	}})
	declare(KindSpec{Kind: KindContainer, Title: "S3 container", Parents: []Kind{KindBucket, KindContainer}, Searchable: true, Fields: []Field{
		{"path", String, "prefix inside the bucket"},
		{"format", String, "structure format: csv, tsv, json, parquet, avro..."},
		{"partitionColumns", List, "[{name, dataType, description}]"},
		{"fileCount", Int, "data files"},
		{"sizeBytes", Int, "total size"},
		{"newestObject", Time, "newest object's last-modified time"},
		{"storageClasses", List, "storage classes present"},
		{"compression", String, "gzip, bzip2... when the files are compressed"},
		{"tableFormat", String, "delta, iceberg, hudi when detected"},
		{"formats", List, "formats present when mixed"},
		{"separator", String, "CSV separator"},
		{"isPartitioned", Bool, "has partition columns"},
		{"emptyFiles", Int, "empty files seen"},
		{"archivedFiles", Int, "Glacier-class files, not sampled"},
		{"sampledFiles", List, "keys read for schema inference"},
		{"schemaDrift", List, "differences between sampled files' schemas"},
		{"schemaError", String, "why no schema could be inferred"},
		{"partial", Bool, "listing stopped at a bound (maxPrefixes, maxDepth)"},
		{"source", String, "manifest or discovery"},
		{"manifest", String, "manifest the container came from"},
		{"unstructured", Bool, "declared unstructured by a manifest"},
	}})
	declare(KindSpec{Kind: KindObject, Title: "S3 object", Parents: []Kind{KindBucket, KindContainer}, Fields: []Field{
		{"key", String, "object key"},
		{"size", Int, "bytes"},
		{"etag", String, "ETag"},
		{"storageClass", String, "storage class"},
		{"contentType", String, "Content-Type"},
		{"contentEncoding", String, "Content-Encoding"},
		{"tags", Object, "object tags"},
		{"versionId", String, "version id"},
		{"versionCount", Int, "versions of the key (versioned buckets)"},
		{"noncurrentVersions", List, "noncurrent versions: [{versionId, size, lastModified}]"},
		{"lastModified", Time, "last modified"},
	}})
	declareDataZone()
}
