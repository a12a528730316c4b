package athenascan

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
)

// Checks are the probes `lakemap connection test` runs for Athena reads.
func Checks(client API) []source.Check {
	return []source.Check{{
		Name:    "list Athena workgroups",
		Actions: []string{"athena:ListWorkGroups"},
		Run: func(ctx context.Context) error {
			_, err := client.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{MaxResults: aws.Int32(1)})
			return awsconn.Classify(err, "listing Athena workgroups")
		},
	}, {
		Name:    "list Athena data catalogs",
		Actions: []string{"athena:ListDataCatalogs"},
		Run: func(ctx context.Context) error {
			_, err := client.ListDataCatalogs(ctx, &athena.ListDataCatalogsInput{MaxResults: aws.Int32(2)})
			return awsconn.Classify(err, "listing Athena data catalogs")
		},
	}}
}
