package datazone

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// AttrLineageNode on an asset is its DataZone lineage node: {id,
// sourceIdentifier, typeName, upstream: [node ids], downstream: [node
// ids]}. The lineage pass (internal/lineage) turns the neighbours that are
// catalogued assets into edges.
const AttrLineageNode = "lineageNode"

// Lineage probe states.
const (
	lineageUnknown = iota
	lineageAllowed
	lineageDenied
)

// LineageHint is the action that adds DataZone's lineage to a guide-built
// role's scan.
const LineageHint = "grant datazone:GetLineageNode to also catalog DataZone's lineage between assets"

// lineageNode returns the attribute describing asset id's lineage node, nil
// when there is none, lineage is off, or the role may not read it. The
// first call of a scan is the probe: it runs alone, and a denial turns the
// rest off (logged, never warned: the guide's ReadOnly policy lacks the
// action). A node missing (ResourceNotFound) is an asset without lineage.
func (r *domainRun) lineageNode(ctx context.Context, id, name string) (map[string]any, error) {
	s := r.s
	if !s.Config.UseLineage {
		return nil, nil
	}
	s.lineageMu.Lock()
	state := s.lineageState
	if state != lineageUnknown {
		s.lineageMu.Unlock()
		if state == lineageDenied {
			return nil, nil
		}
	} else {
		defer s.lineageMu.Unlock()
	}
	out, err := s.Client.GetLineageNode(ctx, &dz.GetLineageNodeInput{DomainIdentifier: aws.String(r.id), Identifier: aws.String(id)})
	if err != nil {
		cerr := awsconn.Classify(err, fmtErr("reading the DataZone lineage node of asset %q", name))
		switch {
		case apperr.Is(cerr, apperr.NotFound):
			if state == lineageUnknown {
				s.lineageState = lineageAllowed
			}
			return nil, nil
		case apperr.Is(cerr, apperr.AccessDenied) && state == lineageUnknown:
			s.lineageState = lineageDenied
			s.Logger.Info("datazone:GetLineageNode denied: scanning without DataZone lineage", "service", s.ServiceName, "hint", LineageHint)
			return nil, nil
		}
		return nil, warn(ctx, r.sink, err, fmtErr("reading the DataZone lineage node of asset %q", name))
	}
	if state == lineageUnknown {
		s.lineageState = lineageAllowed
	}
	node := map[string]any{}
	setStr(node, "id", aws.ToString(out.Id))
	setStr(node, "sourceIdentifier", aws.ToString(out.SourceIdentifier))
	setStr(node, "typeName", aws.ToString(out.TypeName))
	if ids := nodeIDs(out.UpstreamNodes); ids != nil {
		node["upstream"] = ids
	}
	if ids := nodeIDs(out.DownstreamNodes); ids != nil {
		node["downstream"] = ids
	}
	return node, nil
}

func nodeIDs(refs []types.LineageNodeReference) []any {
	var out []any
	for _, ref := range refs {
		if id := aws.ToString(ref.Id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
