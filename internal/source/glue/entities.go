package glue

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/catalog"
)

func databaseEntity(root, service string, db types.Database) catalog.Entity {
	name := aws.ToString(db.Name)
	attrs := map[string]any{}
	setString(attrs, "catalogId", aws.ToString(db.CatalogId))
	setString(attrs, "locationUri", aws.ToString(db.LocationUri))
	setMap(attrs, "parameters", db.Parameters)
	return catalog.Entity{
		FQN:           catalog.Child(root, name),
		Kind:          catalog.KindDatabase,
		Service:       service,
		ParentFQN:     root,
		Name:          name,
		Description:   aws.ToString(db.Description),
		Attrs:         attrs,
		SourceCreated: timePtr(db.CreateTime),
	}
}

// tableEntities returns the table followed by its columns (partition keys
// last, as Glue orders them) and their nested children.
func tableEntities(dbFQN, service string, t *types.Table) []catalog.Entity {
	name := aws.ToString(t.Name)
	tableFQN := catalog.Child(dbFQN, name)
	attrs := map[string]any{}
	setString(attrs, "tableType", aws.ToString(t.TableType))
	attrs["isView"] = isView(t)
	setString(attrs, "format", tableFormat(t))
	setString(attrs, "owner", aws.ToString(t.Owner))
	setMap(attrs, "parameters", t.Parameters)
	setString(attrs, "viewOriginalText", aws.ToString(t.ViewOriginalText))
	setString(attrs, "viewExpandedText", aws.ToString(t.ViewExpandedText))
	setString(attrs, "versionId", aws.ToString(t.VersionId))
	if t.Retention != 0 {
		attrs["retention"] = int64(t.Retention)
	}
	if t.LastAccessTime != nil {
		attrs["lastAccessTime"] = t.LastAccessTime.UTC().Format(time.RFC3339)
	}
	var columns []types.Column
	if sd := t.StorageDescriptor; sd != nil {
		setString(attrs, "location", aws.ToString(sd.Location))
		setString(attrs, "inputFormat", aws.ToString(sd.InputFormat))
		setString(attrs, "outputFormat", aws.ToString(sd.OutputFormat))
		if sd.SerdeInfo != nil {
			setString(attrs, "serde", aws.ToString(sd.SerdeInfo.SerializationLibrary))
			setMap(attrs, "serdeParameters", sd.SerdeInfo.Parameters)
		}
		columns = sd.Columns
	}
	if len(t.PartitionKeys) > 0 {
		keys := make([]any, len(t.PartitionKeys))
		for i, k := range t.PartitionKeys {
			keys[i] = map[string]any{"name": aws.ToString(k.Name), "type": aws.ToString(k.Type), "comment": aws.ToString(k.Comment)}
		}
		attrs["partitionKeys"] = keys
	}
	attrs["columnCount"] = int64(len(columns) + len(t.PartitionKeys))

	out := make([]catalog.Entity, 0, 1+len(columns)+len(t.PartitionKeys))
	out = append(out, catalog.Entity{
		FQN:           tableFQN,
		Kind:          catalog.KindTable,
		Service:       service,
		ParentFQN:     dbFQN,
		Name:          name,
		Description:   aws.ToString(t.Description),
		Attrs:         attrs,
		SourceCreated: timePtr(t.CreateTime),
		SourceUpdated: timePtr(t.UpdateTime),
	})
	ordinal := 0
	for _, group := range []struct {
		cols         []types.Column
		partitionKey bool
	}{{columns, false}, {t.PartitionKeys, true}} {
		for _, c := range group.cols {
			out = appendColumn(out, service, tableFQN, aws.ToString(c.Name), aws.ToString(c.Type), aws.ToString(c.Comment), c.Parameters, ordinal, group.partitionKey, 0)
			ordinal++
		}
	}
	return out
}

// appendColumn adds a column and, for complex types, its nested fields as
// child columns (FQN <table>.<column>.<field>).
func appendColumn(out []catalog.Entity, service, parentFQN, name, typ, comment string, params map[string]string, ordinal int, partitionKey bool, depth int) []catalog.Entity {
	fqn := catalog.Child(parentFQN, name)
	attrs := map[string]any{"dataType": typ, "ordinal": int64(ordinal)}
	if partitionKey {
		attrs["isPartitionKey"] = true
	}
	setMap(attrs, "parameters", params)
	fields, err := structFields(typ)
	if err != nil {
		// Keep the type string whole; only the children are lost.
		attrs["typeParseError"] = err.Error()
	}
	out = append(out, catalog.Entity{
		FQN: fqn, Kind: catalog.KindColumn, Service: service, ParentFQN: parentFQN,
		Name: name, Description: comment, Attrs: attrs,
	})
	if depth+1 >= maxNestingDepth {
		return out
	}
	for i, f := range fields {
		out = appendColumn(out, service, fqn, f.Name, f.Type, "", nil, i, false, depth+1)
	}
	return out
}

// columnListings are the column lists of t, each whole: completed with
// the table's entities, the columns dropped from the table (or from a
// struct) are marked deleted.
func columnListings(dbFQN string, t *types.Table) []catalog.Listing {
	tableFQN := catalog.Child(dbFQN, aws.ToString(t.Name))
	out := []catalog.Listing{{ParentFQN: tableFQN, Kinds: []catalog.Kind{catalog.KindColumn}}}
	var cols []types.Column
	if t.StorageDescriptor != nil {
		cols = t.StorageDescriptor.Columns
	}
	for _, c := range append(cols, t.PartitionKeys...) {
		out = nestedListings(out, catalog.Child(tableFQN, aws.ToString(c.Name)), aws.ToString(c.Type), 0)
	}
	return out
}

func nestedListings(out []catalog.Listing, colFQN, typ string, depth int) []catalog.Listing {
	fields, err := structFields(typ)
	if err != nil || len(fields) == 0 || depth+1 >= maxNestingDepth {
		return out
	}
	out = append(out, catalog.Listing{ParentFQN: colFQN, Kinds: []catalog.Kind{catalog.KindColumn}})
	for _, f := range fields {
		out = nestedListings(out, catalog.Child(colFQN, f.Name), f.Type, depth+1)
	}
	return out
}

func isView(t *types.Table) bool {
	switch strings.ToUpper(aws.ToString(t.TableType)) {
	case "VIRTUAL_VIEW", "MULTI_DIALECT_VIEW":
		return true
	}
	return t.IsMultiDialectView != nil && *t.IsMultiDialectView
}

// tableFormat names the data format from the hints Glue, Athena, Spark and
// crawlers leave in parameters and storage classes.
func tableFormat(t *types.Table) string {
	return storageFormat(t.Parameters, t.StorageDescriptor)
}

// storageFormat reads the format from table (or partition) parameters and
// a storage descriptor; either may be nil.
func storageFormat(params map[string]string, sd *types.StorageDescriptor) string {
	p := lowerKeys(params)
	switch {
	case strings.EqualFold(p["table_type"], "ICEBERG"):
		return "iceberg"
	case strings.EqualFold(p["spark.sql.sources.provider"], "delta") || strings.EqualFold(p["table_type"], "DELTA"):
		return "delta"
	case p["hoodie.table.name"] != "" || strings.EqualFold(p["table_type"], "HUDI"):
		return "hudi"
	case p["classification"] != "":
		return strings.ToLower(p["classification"])
	}
	if sd != nil {
		hint := strings.ToLower(aws.ToString(sd.InputFormat))
		if sd.SerdeInfo != nil {
			hint += " " + strings.ToLower(aws.ToString(sd.SerdeInfo.SerializationLibrary))
		}
		for _, f := range []struct{ needle, format string }{
			{"parquet", "parquet"}, {"orc", "orc"}, {"avro", "avro"}, {"json", "json"},
			{"opencsv", "csv"}, {"lazysimpleserde", "csv"}, {"textinputformat", "text"},
		} {
			if strings.Contains(hint, f.needle) {
				return f.format
			}
		}
	}
	return ""
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func setString(attrs map[string]any, key, v string) {
	if v != "" {
		attrs[key] = v
	}
}

func setMap(attrs map[string]any, key string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	attrs[key] = out
}

func timePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
