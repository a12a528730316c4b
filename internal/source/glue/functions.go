package glue

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
)

// functionPrefix goes before a function's name in its FQN part when a
// table of the same database has that name: Hive keeps functions and tables
// in separate namespaces, the catalog's FQNs have one per database.
const functionPrefix = "function:"

// scanFunctions emits a database's user-defined functions. tables holds the
// database's table names, lower-cased. Only cancellation and sink failures
// are returned; AWS errors are warnings.
func (r *run) scanFunctions(ctx context.Context, dbFQN, dbName string, tables map[string]bool) error {
	in := &glue.GetUserDefinedFunctionsInput{DatabaseName: aws.String(dbName), Pattern: aws.String("*")}
	if r.catalogID != "" {
		in.CatalogId = aws.String(r.catalogID)
	}
	n := 0
	_, funcs := r.s.optionals()
	pages := glue.NewGetUserDefinedFunctionsPaginator(r.s.Client, in)
	for pages.HasMorePages() {
		pageCtx, cancel := funcs.Context(ctx)
		page, err := pages.NextPage(pageCtx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			classified := awsconn.Classify(err, fmt.Sprintf("listing Glue user-defined functions in database %q", dbName))
			if apperr.Is(classified, apperr.NotFound) || funcs.TurnOffOn(ctx, r.sink, classified) {
				return nil
			}
			// The database's functions were not listed: none is deleted,
			// and the scan is partial.
			r.sink.Warn(ctx, classified)
			return nil
		}
		entities := make([]catalog.Entity, 0, len(page.UserDefinedFunctions))
		for _, f := range page.UserDefinedFunctions {
			entities = append(entities, functionEntity(r.s.ServiceName, dbFQN, f, tables))
		}
		if err := r.sink.Emit(ctx, entities...); err != nil {
			return err
		}
		n += len(entities)
	}
	r.sink.Progress(catalog.KindFunction, n)
	return r.sink.Complete(ctx, dbFQN, catalog.KindFunction)
}

func functionEntity(service, dbFQN string, f types.UserDefinedFunction, tables map[string]bool) catalog.Entity {
	name := aws.ToString(f.FunctionName)
	part := name
	if tables[strings.ToLower(name)] {
		part = functionPrefix + name
	}
	attrs := map[string]any{}
	setString(attrs, "className", aws.ToString(f.ClassName))
	setString(attrs, "ownerName", aws.ToString(f.OwnerName))
	setString(attrs, "ownerType", string(f.OwnerType))
	setString(attrs, "functionType", string(f.FunctionType))
	if len(f.ResourceUris) > 0 {
		uris := make([]any, len(f.ResourceUris))
		for i, u := range f.ResourceUris {
			uris[i] = map[string]any{"type": string(u.ResourceType), "uri": aws.ToString(u.Uri)}
		}
		attrs["resourceUris"] = uris
	}
	return catalog.Entity{
		FQN: catalog.Child(dbFQN, part), Kind: catalog.KindFunction, Service: service, ParentFQN: dbFQN,
		Name: name, Attrs: attrs, SourceCreated: timePtr(f.CreateTime),
	}
}
