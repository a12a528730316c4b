package datazone

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/catalog"
)

// scanGlossaries reads the glossary terms projects and assets refer to,
// the terms those relate to (isA, classifies), and their glossaries. The
// guide's ReadOnly policy cannot list glossaries, so without
// datazone:Search the set is what is reachable, and nothing is marked
// deleted (an unreferenced term is not a deleted one). With Search, every
// glossary and term is listed and deletes are safe again.
func (r *domainRun) scanGlossaries(ctx context.Context) error {
	s := r.s
	glossaryIDs := map[string]bool{}
	complete := r.search
	if r.search {
		for _, scope := range []types.InventorySearchScope{types.InventorySearchScopeGlossary, types.InventorySearchScopeGlossaryTerm} {
			pages := dz.NewSearchPaginator(s.Client, &dz.SearchInput{DomainIdentifier: aws.String(r.id), SearchScope: scope})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					if err := warn(ctx, r.sink, err, fmtErr("searching DataZone %s of domain %s", scope, r.id)); err != nil {
						return err
					}
					complete = false
					break
				}
				for _, it := range page.Items {
					switch v := it.(type) {
					case *types.SearchInventoryResultItemMemberGlossaryItem:
						glossaryIDs[aws.ToString(v.Value.Id)] = true
					case *types.SearchInventoryResultItemMemberGlossaryTermItem:
						r.termIDs[aws.ToString(v.Value.Id)] = true
					}
				}
			}
		}
	}
	// Terms, breadth first along their relations.
	terms := map[string]*dz.GetGlossaryTermOutput{}
	queue := make([]string, 0, len(r.termIDs))
	for id := range r.termIDs {
		queue = append(queue, id)
	}
	sort.Strings(queue)
	queued := map[string]bool{}
	for _, id := range queue {
		queued[id] = true
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		out, err := s.Client.GetGlossaryTerm(ctx, &dz.GetGlossaryTermInput{DomainIdentifier: aws.String(r.id), Identifier: aws.String(id)})
		if err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("reading DataZone glossary term %s", id)); err != nil {
				return err
			}
			complete = false
			continue
		}
		terms[id] = out
		glossaryIDs[aws.ToString(out.GlossaryId)] = true
		if rel := out.TermRelations; rel != nil {
			for _, next := range append(append([]string{}, rel.IsA...), rel.Classifies...) {
				if !queued[next] {
					queued[next] = true
					queue = append(queue, next)
				}
			}
		}
	}
	// Glossaries, placed under their owning project.
	glossaries := map[string]*dz.GetGlossaryOutput{}
	byProject := map[string][]named{}
	for _, id := range sortedSet(glossaryIDs) {
		out, err := s.Client.GetGlossary(ctx, &dz.GetGlossaryInput{DomainIdentifier: aws.String(r.id), Identifier: aws.String(id)})
		if err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("reading DataZone glossary %s", id)); err != nil {
				return err
			}
			complete = false
			continue
		}
		if _, ok := r.projects[aws.ToString(out.OwningProjectId)]; !ok {
			r.sink.Warn(ctx, &unknownProjectError{asset: "glossary " + id, project: aws.ToString(out.OwningProjectId)})
			complete = false
			continue
		}
		glossaries[id] = out
		byProject[aws.ToString(out.OwningProjectId)] = append(byProject[aws.ToString(out.OwningProjectId)], named{id, aws.ToString(out.Name)})
	}
	glossaryFQN := map[string]string{}
	for project, items := range byProject {
		for id, part := range uniqueParts(prefixGlossary, items) {
			g := glossaries[id]
			attrs := map[string]any{"id": id, "status": string(g.Status), "owningProjectId": project}
			setStr(attrs, "createdBy", aws.ToString(g.CreatedBy))
			e := entity(catalog.KindGlossary, s.ServiceName, r.projects[project], part, aws.ToString(g.Name), aws.ToString(g.Description), attrs)
			e.SourceCreated, e.SourceUpdated = utc(g.CreatedAt), utc(g.UpdatedAt)
			if err := r.sink.Emit(ctx, e); err != nil {
				return err
			}
			glossaryFQN[id] = e.FQN
		}
	}
	termsByGlossary := map[string][]named{}
	for id, t := range terms {
		g := aws.ToString(t.GlossaryId)
		if _, ok := glossaryFQN[g]; ok {
			termsByGlossary[g] = append(termsByGlossary[g], named{id, aws.ToString(t.Name)})
		}
	}
	termFQN := map[string]string{}
	termParts := map[string]string{}
	for g, items := range termsByGlossary {
		for id, part := range uniqueParts("", items) {
			termParts[id] = part
			termFQN[id] = catalog.Child(glossaryFQN[g], part)
		}
	}
	for _, id := range sortedSet(termFQN) {
		t := terms[id]
		attrs := map[string]any{"id": id, "status": string(t.Status), "glossaryId": aws.ToString(t.GlossaryId)}
		setStr(attrs, "shortDescription", aws.ToString(t.ShortDescription))
		setStr(attrs, "longDescription", aws.ToString(t.LongDescription))
		setStr(attrs, "createdBy", aws.ToString(t.CreatedBy))
		if rel := t.TermRelations; rel != nil {
			setStrs(attrs, "isA", relatedFQNs(rel.IsA, termFQN))
			setStrs(attrs, "classifies", relatedFQNs(rel.Classifies, termFQN))
		}
		e := entity(catalog.KindGlossaryTerm, s.ServiceName, glossaryFQN[aws.ToString(t.GlossaryId)], termParts[id], aws.ToString(t.Name), aws.ToString(t.ShortDescription), attrs)
		e.SourceCreated, e.SourceUpdated = utc(t.CreatedAt), utc(t.UpdatedAt)
		if err := r.sink.Emit(ctx, e); err != nil {
			return err
		}
	}
	r.sink.Progress(catalog.KindGlossaryTerm, len(termFQN))
	if !complete {
		return nil
	}
	for _, fqn := range r.projects {
		if err := s.complete(ctx, r.sink, true, fqn, catalog.KindGlossary); err != nil {
			return err
		}
	}
	for _, fqn := range glossaryFQN {
		if err := s.complete(ctx, r.sink, true, fqn, catalog.KindGlossaryTerm); err != nil {
			return err
		}
	}
	return nil
}

// relatedFQNs maps related term ids to their FQNs; a term that could not
// be read keeps its id.
func relatedFQNs(ids []string, fqns map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if f, ok := fqns[id]; ok {
			out = append(out, f)
		} else {
			out = append(out, id)
		}
	}
	return out
}

func sortedSet[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
