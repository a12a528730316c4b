package lineage

import (
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/sqlparse"
)

// DefaultCatalog is Athena's name for the account's own Glue catalog.
const DefaultCatalog = "awsdatacatalog"

// resolver turns a table name from SQL into the FQN the service's scan gave
// that table: <service>.<database>.<table> in a glue service,
// <service>.<data catalog>.<database>.<table> in a service whose source keeps
// databases under data catalogs (athena; Builder.Sources says which).
type resolver struct {
	serviceFQN string
	// underCatalogs: tables sit under their data catalog (athena services).
	underCatalogs bool
	catalogs      map[string]string
}

func newResolver(w *walked, sources Sources) resolver {
	under := sources != nil && sources.DatabasesUnderDataCatalogs(w.sourceType)
	return resolver{serviceFQN: w.serviceFQN, underCatalogs: under, catalogs: w.catalogs}
}

// table resolves ref, whose missing parts come from the statement's session
// (the query's or view's catalog and database). ok is false for names the
// service cannot hold: another catalog, system tables, or no database.
func (r resolver) table(ref sqlparse.Ref, defCatalog, defSchema string) (fqn string, ok bool) {
	cat, schema := ref.Catalog, ref.Schema
	if cat == "" {
		cat = defCatalog
	}
	if schema == "" {
		schema = defSchema
	}
	if schema == "" || ref.Name == "" || schema == "information_schema" || cat == "system" {
		return "", false
	}
	if cat == "" {
		cat = DefaultCatalog
	}
	if !r.underCatalogs {
		if cat != DefaultCatalog {
			return "", false
		}
		return catalog.Child(catalog.Child(r.serviceFQN, schema), ref.Name), true
	}
	catFQN, ok := r.catalogs[cat]
	if !ok {
		return "", false
	}
	return catalog.Child(catalog.Child(catFQN, schema), ref.Name), true
}
