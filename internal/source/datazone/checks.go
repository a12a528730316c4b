package datazone

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
)

// checks proves the guide's ReadOnly policy works. datazone:Search is not
// checked here: it is optional, and a failed check would read as a broken
// connection; the scan probes it and records the coverage on each domain.
func checks(p source.Params) []source.Check {
	client := newClient(p.AWS)
	return []source.Check{{
		Name:    "list DataZone domains",
		Actions: []string{"datazone:ListDomains"},
		Run: func(ctx context.Context) error {
			_, err := client.ListDomains(ctx, &datazone.ListDomainsInput{MaxResults: aws.Int32(1)})
			return awsconn.Classify(err, "listing DataZone domains")
		},
	}}
}
