package mcpserver

import (
	"context"
	"fmt"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/schemadrift"
)

// maxDriftChecks bounds the tables one find_schema_drift call compares,
// so a call on a large estate answers in time and pages on.
const maxDriftChecks = 2000

const defaultDriftLimit = 20

// DriftOutput is find_schema_drift's result.
type DriftOutput struct {
	Tables     []schemadrift.Drift `json:"tables"`
	Checked    int                 `json:"checked" jsonschema:"tables looked at in this call"`
	Compared   int                 `json:"compared" jsonschema:"of those, tables whose files lakemap has a schema for"`
	Truncated  bool                `json:"truncated" jsonschema:"true when more tables remain to check"`
	NextCursor string              `json:"nextCursor,omitempty"`
}

// findSchemaDrift walks the tables of the session's connections in FQN
// order and lists those whose Glue columns disagree with their files.
func findSchemaDrift(ctx context.Context, s *session, in ConnectionListInput) (DriftOutput, string, error) {
	out := DriftOutput{Tables: []schemadrift.Drift{}}
	limit, _, err := limitArg("limit", in.Limit, defaultDriftLimit, catalog.MaxLimit)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	svc, err := s.service(ctx, in.Connection)
	if err != nil {
		return out, "", err
	}
	services := []string{svc}
	if svc == "" {
		if services, err = s.knownServices(ctx); err != nil {
			return out, "", err
		}
	}
	var last string // the last table checked
	lastService := ""
walk:
	for _, service := range services {
		if service < cur.Service {
			continue
		}
		after := ""
		if service == cur.Service {
			after = cur.Token
		}
		for {
			page, err := s.srv.opts.Store.List(ctx, catalog.ListQuery{Service: service, Kinds: []catalog.Kind{catalog.KindTable}, After: after, Limit: 200})
			if err != nil {
				return out, "", fmt.Errorf("listing tables of %q: %w", service, err)
			}
			for _, t := range page.Entities {
				if len(out.Tables) >= limit || out.Checked >= maxDriftChecks {
					out.Truncated = true
					break walk
				}
				out.Checked++
				last, lastService = t.FQN, service
				d, ok, err := schemadrift.Of(ctx, s.srv.opts.Store, t)
				if err != nil {
					return out, "", err
				}
				if ok {
					out.Compared++
				}
				if ok && !d.Empty() {
					out.Tables = append(out.Tables, d)
				}
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	b := answerBudget()
	if n := fitCount(out.Tables, b.json-400); n < len(out.Tables) {
		out.Tables = out.Tables[:n]
		last, lastService, out.Truncated = out.Tables[n-1].Table, serviceOf(out.Tables[n-1].Table), true
	}
	if out.Truncated {
		out.NextCursor = cursor{Service: lastService, Token: last}.encode()
	}

	t := newText(b.text)
	t.line("%d of %d tables checked disagree with their files (%d had a file schema to compare)", len(out.Tables), out.Checked, out.Compared)
	for _, d := range out.Tables {
		t.line("%s (files: %s, %s): %s", d.Table, d.Container, orDash(d.Format), clipped(d.Summary(), 400))
	}
	if out.Truncated {
		t.line("more tables to check; next cursor: %s", out.NextCursor)
	}
	return out, t.String(), nil
}

// maxDriftNames bounds each list of a drift shown beside a schema: a table
// rewritten from scratch should not push its own columns off the page.
const maxDriftNames = 50

func clipDrift(d schemadrift.Drift) (*schemadrift.Drift, bool) {
	cut := len(d.Missing) > maxDriftNames || len(d.Extra) > maxDriftNames || len(d.TypeChanged) > maxDriftNames
	d.Missing = d.Missing[:min(len(d.Missing), maxDriftNames)]
	d.Extra = d.Extra[:min(len(d.Extra), maxDriftNames)]
	d.TypeChanged = d.TypeChanged[:min(len(d.TypeChanged), maxDriftNames)]
	return &d, cut
}
