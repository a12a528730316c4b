package conntest

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	dztypes "github.com/aws/aws-sdk-go-v2/service/datazone/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// Probes of S3 (for the glue service's table data and for the s3 service),
// CloudWatch and DataZone.

// probeS3TableData reads where a Glue table (or else Athena results) lives.
func probeS3TableData(ctx context.Context, e *env, r *recorder) {
	locs := append(append([]s3Location{}, e.tableLocations...), e.resultLocations...)
	readLocation(ctx, e, r, locs, "no S3 location found in the Glue tables or the Athena workgroup read above")
}

// probeS3AthenaResults reads where Athena writes results (or else a Glue
// table's data); writing there cannot be shown without writing.
func probeS3AthenaResults(ctx context.Context, e *env, r *recorder) {
	locs := append(append([]s3Location{}, e.resultLocations...), e.tableLocations...)
	readLocation(ctx, e, r, locs, "no S3 location found in the Athena workgroup or the Glue tables read above")
	r.skip("s3:PutObject cannot be shown without writing an object", "s3:PutObject")
}

// readLocation proves s3:GetBucketLocation, s3:ListBucket and s3:GetObject
// on the first location.
func readLocation(ctx context.Context, e *env, r *recorder, locs []s3Location, none string) {
	if len(locs) == 0 {
		r.skip(none, "s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject")
		return
	}
	loc := locs[0]
	region := bucketLocation(ctx, e, r, loc.bucket)
	if obj, ok := listOne(ctx, e, r, region, loc); ok {
		headObject(ctx, e, r, region, obj)
	}
}

// bucketLocation proves s3:GetBucketLocation and returns the bucket's
// region (the session's when unknown).
func bucketLocation(ctx context.Context, e *env, r *recorder, bucket string) string {
	out, err := e.c.s3(e.region).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if !r.callOn("s3:GetBucketLocation", "bucket "+bucket, awsconn.Classify(err, "reading the region of bucket "+bucket)) {
		return e.region
	}
	return awsconn.BucketRegion(string(out.LocationConstraint))
}

// listOne proves s3:ListBucket with a one-key listing under loc and returns
// the key found, if any.
func listOne(ctx context.Context, e *env, r *recorder, region string, loc s3Location) (s3Location, bool) {
	out, err := e.c.s3(region).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(loc.bucket), Prefix: aws.String(loc.key), MaxKeys: aws.Int32(1)})
	if !r.callOn("s3:ListBucket", "bucket "+loc.bucket, awsconn.Classify(err, "listing "+loc.String())) {
		r.skip("s3:GetObject needs an object a listing found", "s3:GetObject")
		return s3Location{}, false
	}
	if len(out.Contents) == 0 {
		r.skip("no object under "+loc.String()+" to read", "s3:GetObject")
		return s3Location{}, false
	}
	obj := s3Location{bucket: loc.bucket, key: str(out.Contents[0].Key)}
	e.object = &obj
	return obj, true
}

// headObject proves s3:GetObject without downloading anything.
func headObject(ctx context.Context, e *env, r *recorder, region string, obj s3Location) {
	_, err := e.c.s3(region).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(obj.bucket), Key: aws.String(obj.key)})
	r.callOn("s3:GetObject", "object "+obj.String(), awsconn.Classify(err, "reading the metadata of "+obj.String()))
}

// probeS3Buckets lists buckets, then reads one: a configured bucket first.
func probeS3Buckets(ctx context.Context, e *env, r *recorder) {
	out, err := e.c.s3(e.region).ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(10)})
	listed := r.call("s3:ListAllMyBuckets", awsconn.Classify(err, "listing S3 buckets"))
	bucket := ""
	switch {
	case len(e.buckets) > 0:
		bucket = e.buckets[0]
	case listed && len(out.Buckets) > 0:
		bucket = str(out.Buckets[0].Name)
	}
	rest := []string{"s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketVersioning", "s3:GetBucketTagging", "s3:GetBucketPolicy"}
	if bucket == "" {
		r.skip("no bucket to read: the account lists none and the connection names none", rest...)
		return
	}
	region := bucketLocation(ctx, e, r, bucket)
	listOne(ctx, e, r, region, s3Location{bucket: bucket})
	client := e.c.s3(region)
	_, err = client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	r.callOn("s3:GetBucketVersioning", "bucket "+bucket, awsconn.Classify(err, "reading the versioning of bucket "+bucket))
	// A bucket without tags or policy answers not found after authorizing.
	_, err = client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	r.call("s3:GetBucketTagging", awsconn.Classify(err, "reading the tags of bucket "+bucket))
	_, err = client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	r.call("s3:GetBucketPolicy", awsconn.Classify(err, "reading the policy of bucket "+bucket))
}

// probeS3Objects reads the object the bucket probe found: its metadata,
// its tags, and its current version by id ("null" for objects written
// before versioning, which needs s3:GetObjectVersion).
func probeS3Objects(ctx context.Context, e *env, r *recorder) {
	if e.object == nil {
		r.skip("no object found by the bucket listing above to read", "s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion")
		return
	}
	obj := *e.object
	region := e.region
	if out, err := e.c.s3(e.region).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(obj.bucket)}); err == nil {
		region = awsconn.BucketRegion(string(out.LocationConstraint))
	}
	client := e.c.s3(region)
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(obj.bucket), Key: aws.String(obj.key)})
	r.callOn("s3:GetObject", "object "+obj.String(), awsconn.Classify(err, "reading the metadata of "+obj.String()))
	_, err = client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(obj.bucket), Key: aws.String(obj.key)})
	r.callOn("s3:GetObjectTagging", "object "+obj.String(), awsconn.Classify(err, "reading the tags of "+obj.String()))
	version := "null"
	if head != nil && head.VersionId != nil {
		version = str(head.VersionId)
	}
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(obj.bucket), Key: aws.String(obj.key), VersionId: aws.String(version)})
	r.callOn("s3:GetObjectVersion", "version "+version+" of "+obj.String(), awsconn.Classify(err, "reading version "+version+" of "+obj.String()))
}

// probeCloudWatch lists S3 metrics and reads one day of a bucket's size.
func probeCloudWatch(ctx context.Context, e *env, r *recorder) {
	_, err := e.c.cloudWatch.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/S3")})
	r.call("cloudwatch:ListMetrics", awsconn.Classify(err, "listing CloudWatch metrics of S3"))
	bucket := e.probeName
	if e.object != nil {
		bucket = e.object.bucket
	}
	end := time.Now().UTC().Truncate(time.Hour)
	_, err = e.c.cloudWatch.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(end.Add(-48 * time.Hour)),
		EndTime:   aws.Time(end),
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id: aws.String("size"),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/S3"), MetricName: aws.String("BucketSizeBytes"), Dimensions: []cwtypes.Dimension{
					{Name: aws.String("BucketName"), Value: aws.String(bucket)},
					{Name: aws.String("StorageType"), Value: aws.String("StandardStorage")},
				}},
				Period: aws.Int32(86400),
				Stat:   aws.String("Average"),
			},
		}},
	})
	r.call("cloudwatch:GetMetricData", awsconn.Classify(err, "reading CloudWatch metric BucketSizeBytes"))
}

func probeDataZoneRead(ctx context.Context, e *env, r *recorder) {
	out, err := e.c.dataZone.ListDomains(ctx, &datazone.ListDomainsInput{MaxResults: aws.Int32(1)})
	if !r.call("datazone:ListDomains", awsconn.Classify(err, "listing DataZone domains")) {
		return
	}
	if len(out.Items) == 0 {
		r.notes = append(r.notes, "no DataZone domain visible to the role: datazone:Search coverage cannot be tested")
		return
	}
	r.notes = append(r.notes, dataZoneSearchCoverage(ctx, e, aws.ToString(out.Items[0].Id)),
		dataZoneLineageCoverage(ctx, e, aws.ToString(out.Items[0].Id)))
}

// Coverage notes of a DataZone connection.
const (
	SearchAllowedNote = "datazone:Search allowed: unlisted assets and glossaries are catalogued"
	SearchDeniedNote  = "datazone:Search not allowed: published assets and the glossaries they reference are catalogued; add datazone:Search to widen coverage"
)

// Lineage coverage notes of a DataZone connection.
const (
	LineageAllowedNote = "datazone:GetLineageNode allowed: DataZone's lineage between assets is catalogued"
	LineageDeniedNote  = "datazone:GetLineageNode not allowed: DataZone's lineage is not catalogued; add datazone:GetLineageNode to read it"
)

// dataZoneLineageCoverage probes datazone:GetLineageNode, which the vendor
// guide's ReadOnly policy lacks, with a node id no domain holds: AWS
// checks the permission first, so not found means allowed. Like Search,
// a denial is a note on coverage.
func dataZoneLineageCoverage(ctx context.Context, e *env, domainID string) string {
	_, err := e.c.dataZone.GetLineageNode(ctx, &datazone.GetLineageNodeInput{DomainIdentifier: aws.String(domainID),
		Identifier: aws.String("lakemap-connection-test-probe")})
	switch err := awsconn.Classify(err, "probing datazone:GetLineageNode"); {
	case err == nil, apperr.Is(err, apperr.NotFound):
		return LineageAllowedNote
	case apperr.Is(err, apperr.AccessDenied):
		return LineageDeniedNote
	default:
		return "datazone:GetLineageNode could not be tested: " + err.Error()
	}
}

// dataZoneSearchCoverage probes datazone:Search, which the vendor guide's
// ReadOnly policy lacks: its denial is the policy as written, so it is a
// note on coverage, never a failure of the group.
func dataZoneSearchCoverage(ctx context.Context, e *env, domainID string) string {
	_, err := e.c.dataZone.Search(ctx, &datazone.SearchInput{DomainIdentifier: aws.String(domainID),
		SearchScope: dztypes.InventorySearchScopeGlossary, MaxResults: aws.Int32(1)})
	switch err := awsconn.Classify(err, "probing datazone:Search"); {
	case err == nil:
		return SearchAllowedNote
	case apperr.Is(err, apperr.AccessDenied):
		return SearchDeniedNote
	default:
		return "datazone:Search could not be tested: " + err.Error()
	}
}
