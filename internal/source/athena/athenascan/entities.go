package athenascan

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakemap/lakemap/internal/catalog"
)

func (s *Scanner) dataCatalogEntity(root string, dc types.DataCatalog) catalog.Entity {
	name := aws.ToString(dc.Name)
	attrs := map[string]any{}
	setString(attrs, "type", string(dc.Type))
	setMap(attrs, "parameters", dc.Parameters)
	setString(attrs, "status", string(dc.Status))
	setString(attrs, "connectionType", string(dc.ConnectionType))
	setString(attrs, "error", aws.ToString(dc.Error))
	if id := GlueCatalogID(dc); id != "" {
		attrs["catalogId"] = id
	}
	return catalog.Entity{
		FQN: s.CatalogFQN(root, name), Kind: catalog.KindDataCatalog, Service: s.Service, ParentFQN: root,
		Name: name, Description: aws.ToString(dc.Description), Attrs: attrs,
	}
}

// GlueCatalogID is the Glue catalog (account id) behind a GLUE data catalog:
// its catalog-id parameter. AwsDataCatalog has none: it is the caller's own.
func GlueCatalogID(dc types.DataCatalog) string {
	if dc.Type != types.DataCatalogTypeGlue {
		return ""
	}
	return dc.Parameters["catalog-id"]
}

func (s *Scanner) workgroupEntity(root, fqn string, wg types.WorkGroup) catalog.Entity {
	attrs := map[string]any{}
	setString(attrs, "state", string(wg.State))
	if c := wg.Configuration; c != nil {
		if c.ResultConfiguration != nil {
			setString(attrs, "outputLocation", aws.ToString(c.ResultConfiguration.OutputLocation))
			setString(attrs, "expectedBucketOwner", aws.ToString(c.ResultConfiguration.ExpectedBucketOwner))
			if e := c.ResultConfiguration.EncryptionConfiguration; e != nil {
				setString(attrs, "encryption", string(e.EncryptionOption))
			}
		}
		if v := c.EngineVersion; v != nil {
			setString(attrs, "engineVersion", aws.ToString(v.EffectiveEngineVersion))
			setString(attrs, "selectedEngineVersion", aws.ToString(v.SelectedEngineVersion))
		}
		setBool(attrs, "enforceWorkGroupConfiguration", c.EnforceWorkGroupConfiguration)
		setBool(attrs, "publishCloudWatchMetricsEnabled", c.PublishCloudWatchMetricsEnabled)
		setBool(attrs, "requesterPaysEnabled", c.RequesterPaysEnabled)
		if c.BytesScannedCutoffPerQuery != nil {
			attrs["bytesScannedCutoffPerQuery"] = *c.BytesScannedCutoffPerQuery
		}
		setString(attrs, "executionRole", aws.ToString(c.ExecutionRole))
	}
	return catalog.Entity{
		FQN: fqn, Kind: catalog.KindWorkgroup, Service: s.Service, ParentFQN: root,
		Name: aws.ToString(wg.Name), Description: aws.ToString(wg.Description), Attrs: attrs,
		SourceCreated: timePtr(wg.CreationTime),
	}
}

func queryEntity(service, wgFQN string, qe types.QueryExecution) catalog.Entity {
	id := aws.ToString(qe.QueryExecutionId)
	attrs := map[string]any{}
	setString(attrs, "query", aws.ToString(qe.Query))
	setString(attrs, "statementType", string(qe.StatementType))
	setString(attrs, "substatementType", aws.ToString(qe.SubstatementType))
	setString(attrs, "workgroup", aws.ToString(qe.WorkGroup))
	if c := qe.QueryExecutionContext; c != nil {
		setString(attrs, "database", aws.ToString(c.Database))
		setString(attrs, "catalog", aws.ToString(c.Catalog))
	}
	var submitted *time.Time
	if st := qe.Status; st != nil {
		setString(attrs, "state", string(st.State))
		setString(attrs, "stateChangeReason", aws.ToString(st.StateChangeReason))
		if e := st.AthenaError; e != nil {
			setString(attrs, "errorMessage", aws.ToString(e.ErrorMessage))
		}
		setTime(attrs, "submitted", st.SubmissionDateTime)
		setTime(attrs, "completed", st.CompletionDateTime)
		submitted = st.SubmissionDateTime
	}
	if st := qe.Statistics; st != nil {
		setInt(attrs, "dataScannedBytes", st.DataScannedInBytes)
		setInt(attrs, "engineExecutionMillis", st.EngineExecutionTimeInMillis)
		setInt(attrs, "totalExecutionMillis", st.TotalExecutionTimeInMillis)
		setInt(attrs, "queueMillis", st.QueryQueueTimeInMillis)
	}
	if rc := qe.ResultConfiguration; rc != nil {
		setString(attrs, "outputLocation", aws.ToString(rc.OutputLocation))
	}
	if v := qe.EngineVersion; v != nil {
		setString(attrs, "engineVersion", aws.ToString(v.EffectiveEngineVersion))
	}
	return catalog.Entity{
		FQN: catalog.Child(wgFQN, id), Kind: catalog.KindQuery, Service: service, ParentFQN: wgFQN,
		Name: id, Attrs: attrs, SourceCreated: timePtr(submitted),
	}
}

func setString(attrs map[string]any, key, v string) {
	if v != "" {
		attrs[key] = v
	}
}

func setBool(attrs map[string]any, key string, v *bool) {
	if v != nil {
		attrs[key] = *v
	}
}

func setInt(attrs map[string]any, key string, v *int64) {
	if v != nil {
		attrs[key] = *v
	}
}

func setTime(attrs map[string]any, key string, t *time.Time) {
	if t != nil && !t.IsZero() {
		attrs[key] = t.UTC().Format(time.RFC3339Nano)
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
