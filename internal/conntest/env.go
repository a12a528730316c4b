package conntest

import (
	"context"
	"net/url"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// env is what one run's probes share: the clients, a name no real resource
// has, and what earlier probes found to read from.
type env struct {
	service   string
	access    catalog.AccessLevel
	c         clients
	region    string
	probeName string
	// buckets are the configured buckets (source.ProbeScope.Buckets).
	buckets []string
	// catalogID is the Glue catalog to list, "" for the caller's own.
	catalogID string
	// tableLocations and resultLocations are S3 locations of Glue tables and
	// of Athena workgroups' query results, found by the catalog probes.
	tableLocations, resultLocations []s3Location
	// object is one object a bucket listing found, for object reads.
	object *s3Location
	sim    *simulator
}

// s3Location is a bucket and a key or prefix in it.
type s3Location struct{ bucket, key string }

func (l s3Location) String() string { return "s3://" + l.bucket + "/" + l.key }

// parseS3 reads s3://bucket/prefix (and s3a://, s3n://); ok is false for
// anything else (a table in HDFS, say).
func parseS3(loc string) (s3Location, bool) {
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" || (u.Scheme != "s3" && u.Scheme != "s3a" && u.Scheme != "s3n") {
		return s3Location{}, false
	}
	return s3Location{bucket: u.Host, key: strings.TrimPrefix(u.Path, "/")}, true
}

func addLocation(list []s3Location, loc string) []s3Location {
	l, ok := parseS3(loc)
	if !ok {
		return list
	}
	for _, have := range list {
		if have == l {
			return list
		}
	}
	return append(list, l)
}

// probe proves one group, recording each call in r.
type probe func(ctx context.Context, e *env, r *recorder)

// probeFor maps a statement's Sid to its probe. TestEveryGroupHasAProbe
// keeps it and unprovable in step with onboard's policies.
func probeFor(sid string) probe {
	switch sid {
	case "GlueCatalogReadAccess":
		return probeGlueCatalog
	case "GlueDataQualityAccess":
		return probeGlueDataQuality
	case "GlueColumnStatisticsAccess":
		return probeGlueColumnStatistics
	case "AthenaQueryRead":
		return probeAthenaRead
	case "AthenaWorkGroupAccess":
		return probeAthenaWorkGroups
	case "AthenaDataCatalogAccess":
		return probeAthenaDataCatalogs
	case "AthenaQueryAccess":
		return probeAthenaQueries
	case "S3ReadAccess":
		return probeS3TableData
	case "S3AccessForAthenaResults":
		return probeS3AthenaResults
	case "S3BucketReadAccess":
		return probeS3Buckets
	case "S3ObjectReadAccess":
		return probeS3Objects
	case "CloudWatchMetricsRead":
		return probeCloudWatch
	case "DataZoneReadAccess":
		return probeDataZoneRead
	}
	return nil
}

// unprovable says why no request can show a group's actions without
// writing; those groups go to policy simulation whole.
func unprovable(sid string) string {
	switch sid {
	case "S3WriteAccess":
		return "S3 writes cannot be shown without writing"
	case "DataZoneWriteAccess":
		return "DataZone writes act on a domain's assets, listings and data sources and cannot be shown without writing"
	}
	return ""
}

// glueCatalog is the CatalogId of Glue catalog reads: nil for the caller's
// own catalog, as AWS expects.
func (e *env) glueCatalog() *string {
	if e.catalogID == "" {
		return nil
	}
	return &e.catalogID
}
