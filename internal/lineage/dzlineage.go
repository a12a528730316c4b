package lineage

import (
	"context"
	"slices"

	"github.com/lakemap/lakemap/internal/catalog"
)

// AttrLineageNode is the DataZone asset attribute holding its lineage node
// as the datazone source read it (GetLineageNode): {id, sourceIdentifier,
// typeName, upstream: [node ids], downstream: [node ids]}.
const AttrLineageNode = "lineageNode"

// dataZoneEdges turns the lineage nodes of a DataZone service's assets into
// edges between the assets: an upstream node U of asset A is U -> A, a
// downstream node D is A -> D, each pair once, whichever of its two ends
// reported it. A node is matched to an asset of the same domain by the
// node's id or the asset's id (DataZone gives an asset's node the asset's
// id, and accepts either); a neighbour that is no catalogued asset (a node
// DataZone drew from OpenLineage events, an asset of a domain not scanned)
// counts as unresolved. Every asset of the service is an origin, so edges
// of a lineage that went away are removed.
func (b *Builder) dataZoneEdges(ctx context.Context, service string, scanID int64, rep *Report) (int, error) {
	services, err := b.children(ctx, "", "", catalog.KindService)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(services, func(e catalog.Entity) bool { return e.Service == service })
	if i < 0 || services[i].Attrs["sourceType"] != "datazone" {
		return 0, nil
	}
	type asset struct {
		e      catalog.Entity
		domain string
	}
	var assets []asset
	nodes := map[string]string{} // domain FQN + "\x00" + node or asset id -> asset FQN
	doms, err := b.children(ctx, services[i].FQN, service, catalog.KindDomain)
	if err != nil {
		return 0, err
	}
	for _, dom := range doms {
		projects, err := b.children(ctx, dom.FQN, service, catalog.KindProject)
		if err != nil {
			return 0, err
		}
		for _, p := range projects {
			as, err := b.children(ctx, p.FQN, service, catalog.KindAsset)
			if err != nil {
				return 0, err
			}
			for _, a := range as {
				assets = append(assets, asset{a, dom.FQN})
				if id := str(a.Attrs["id"]); id != "" {
					nodes[dom.FQN+"\x00"+id] = a.FQN
				}
				if node, ok := a.Attrs[AttrLineageNode].(map[string]any); ok {
					if id := str(node["id"]); id != "" {
						nodes[dom.FQN+"\x00"+id] = a.FQN
					}
				}
			}
		}
	}
	var edges []catalog.Edge
	origins := make([]string, 0, len(assets))
	seen := map[[2]string]bool{}
	add := func(from, to string, a asset) {
		if from == to || seen[[2]string{from, to}] {
			return
		}
		seen[[2]string{from, to}] = true
		edges = append(edges, catalog.Edge{From: from, To: to, Kind: catalog.EdgeDataZone, Origin: a.e.FQN,
			Evidence: "DataZone lineage of " + a.e.FQN, Service: service, ScanID: scanID, At: updated(a.e)})
	}
	for _, a := range assets {
		origins = append(origins, a.e.FQN)
		node, _ := a.e.Attrs[AttrLineageNode].(map[string]any)
		for _, dir := range []string{"upstream", "downstream"} {
			for _, id := range strs(node[dir]) {
				other, ok := nodes[a.domain+"\x00"+id]
				if !ok {
					rep.Unresolved++
					rep.problem("DataZone lineage of %s: node %s is no catalogued asset", a.e.FQN, id)
					continue
				}
				if dir == "upstream" {
					add(other, a.e.FQN, a)
				} else {
					add(a.e.FQN, other, a)
				}
			}
		}
	}
	if err := b.replace(ctx, scanID, catalog.EdgeDataZone, origins, edges); err != nil {
		return 0, err
	}
	return len(edges), nil
}
