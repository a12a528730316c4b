package glue

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
)

func checks(p source.Params) []source.Check {
	client := p.AWS.Glue()
	var catalogID *string
	if c, ok := p.Connection.(*Connection); ok && c.CatalogID != "" {
		catalogID = aws.String(c.CatalogID)
	}
	out := []source.Check{{
		Name:    "list Glue databases",
		Actions: []string{"glue:GetDatabases"},
		Run: func(ctx context.Context) error {
			_, err := client.GetDatabases(ctx, &glue.GetDatabasesInput{CatalogId: catalogID, MaxResults: aws.Int32(1)})
			return awsconn.Classify(err, "listing Glue databases")
		},
	}}
	if cfg, ok := p.SourceConfig.(*SourceConfig); !ok || cfg.IncludeAthena {
		out = append(out, athenascan.Checks(p.AWS.Athena())...)
	}
	return out
}
