package moto

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// GlueDatabase creates a Glue database and its tables with cfg (a
// customer's credentials, from CustomerRole), failing the test on any error.
func GlueDatabase(t testing.TB, cfg aws.Config, db gluetypes.DatabaseInput, tables ...gluetypes.TableInput) {
	t.Helper()
	ctx := context.Background()
	gc := glue.NewFromConfig(cfg)
	if _, err := gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &db}); err != nil {
		t.Fatalf("creating Glue database %s: %v", aws.ToString(db.Name), err)
	}
	for _, tbl := range tables {
		if _, err := gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: db.Name, TableInput: &tbl}); err != nil {
			t.Fatalf("creating Glue table %s.%s: %v", aws.ToString(db.Name), aws.ToString(tbl.Name), err)
		}
	}
}
