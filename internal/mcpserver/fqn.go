package mcpserver

import (
	"github.com/lakemap/lakemap/internal/textdist"

	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// maxFQNProbes bounds the lookups spent reading an FQN typed without the
// quotes its dotted parts need.
const maxFQNProbes = 64

// maxDidYouMeanLevels bounds the ancestors notFound tries, from the
// parent up: a miss deep in a long FQN costs a few lookups, not one per
// part (catalog.MaxFQNParts bounds the parts themselves).
const maxDidYouMeanLevels = 8

// entity finds the entity an agent named. It accepts the canonical FQN, the
// same with parts quoted differently, the whole FQN wrapped in quotes, or
// dotted names typed without quotes when only one entity matches. A miss
// gets "did you mean" candidates. Entities outside the session's scope do
// not exist for it.
func (s *session) entity(ctx context.Context, arg, raw string) (catalog.Entity, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return catalog.Entity{}, apperr.New(apperr.Invalid, "%s is required: a fully qualified name such as prod.sales.orders (search_catalog finds them)", arg)
	}
	fqn, err := catalog.NormalizeFQN(raw)
	if err != nil {
		return catalog.Entity{}, apperr.Wrap(apperr.Invalid, err, "%s is not a valid FQN (parts with dots go in double quotes: prod.sales.\"my.table\")", arg)
	}
	e, err := s.get(ctx, fqn)
	if err == nil || !apperr.Is(err, apperr.NotFound) {
		return e, err
	}
	matches, err := s.unquotedMatches(ctx, raw)
	if err != nil {
		return catalog.Entity{}, err
	}
	if len(matches) == 0 {
		if matches, err = s.looseMatches(ctx, fqn); err != nil {
			return catalog.Entity{}, err
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return catalog.Entity{}, s.notFound(ctx, arg, fqn)
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = m.FQN
	}
	return catalog.Entity{}, apperr.New(apperr.Invalid, "%s %q is ambiguous: it could be %s; pass one of them as written",
		arg, raw, strings.Join(names, " or "))
}

// maxLooseHits bounds the search hits looseMatches compares.
const maxLooseHits = 200

// looseMatches finds the entities an FQN names when typed in another case
// or without its service (connection) part: prod.Sales.ORDERS and
// sales.orders both find prod.sales.orders. It searches the last part's
// name and compares whole FQNs, so it costs one indexed search.
func (s *session) looseMatches(ctx context.Context, fqn string) ([]catalog.Entity, error) {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil || len(parts) == 0 {
		return nil, nil
	}
	res, err := s.srv.opts.Store.Search(ctx, catalog.SearchQuery{Text: parts[len(parts)-1], Services: s.scope.services(), Limit: maxLooseHits})
	if err != nil {
		return nil, nil // the did-you-mean path still answers
	}
	var found []catalog.Entity
	for _, h := range res.Hits {
		hp, err := catalog.SplitFQN(h.FQN)
		if err != nil || !(equalParts(hp, parts) || len(hp) == len(parts)+1 && equalParts(hp[1:], parts)) {
			continue
		}
		e, err := s.get(ctx, h.FQN)
		if err != nil {
			continue
		}
		if found = append(found, e); len(found) >= 5 {
			break
		}
	}
	return found, nil
}

func equalParts(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// get reads one entity, hiding those outside the scope.
func (s *session) get(ctx context.Context, fqn string) (catalog.Entity, error) {
	e, err := s.srv.opts.Store.Get(ctx, fqn)
	if err != nil {
		return e, err
	}
	if !s.scope.allows(e.Service) {
		return catalog.Entity{}, apperr.New(apperr.NotFound, "no entity %q", fqn)
	}
	return e, nil
}

// unquotedMatches reads raw as dot-separated words whose grouping into
// parts is unknown, and walks the catalog from the root trying each
// grouping, so prod.db.my.table finds prod.db."my.table".
func (s *session) unquotedMatches(ctx context.Context, raw string) ([]catalog.Entity, error) {
	parts, err := catalog.SplitFQN(raw)
	if err != nil {
		return nil, nil
	}
	var words []string
	for _, p := range parts {
		words = append(words, strings.Split(p, ".")...)
	}
	for _, w := range words {
		if w == "" {
			return nil, nil
		}
	}
	probes := 0
	var found []catalog.Entity
	var walk func(parent string, rest []string) error
	walk = func(parent string, rest []string) error {
		for k := 1; k <= len(rest) && len(found) < 2; k++ {
			if probes++; probes > maxFQNProbes {
				return nil
			}
			fqn := catalog.Child(parent, strings.Join(rest[:k], "."))
			e, err := s.get(ctx, fqn)
			if apperr.Is(err, apperr.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if k == len(rest) {
				found = append(found, e)
				continue
			}
			if err := walk(fqn, rest[k:]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("", words); err != nil {
		return nil, err
	}
	return found, nil
}

// notFound explains a miss: a near name among the children of the deepest
// ancestor that exists (typos), then search hits on the last part (right
// name, wrong place), else the ancestor itself.
func (s *session) notFound(ctx context.Context, arg, fqn string) error {
	parts, _ := catalog.SplitFQN(fqn)
	var suggestions []string
	add := func(f string) {
		if f != "" && f != fqn && !slices.Contains(suggestions, f) && len(suggestions) < 5 {
			suggestions = append(suggestions, f)
		}
	}
	var ancestor *catalog.Entity
	for i := len(parts) - 1; i > 0 && i >= len(parts)-maxDidYouMeanLevels && ancestor == nil; i-- {
		e, err := s.get(ctx, catalog.JoinFQN(parts[:i]...))
		if err != nil {
			continue
		}
		ancestor = &e
		page, err := s.srv.opts.Store.List(ctx, catalog.ListQuery{ParentFQN: e.FQN, Limit: catalog.MaxLimit})
		if err != nil {
			break
		}
		names := make([]string, len(page.Entities))
		for j, c := range page.Entities {
			names[j] = c.Name
		}
		if best, ok := textdist.Nearest(parts[i], names); ok {
			candidate := catalog.JoinFQN(append(append(slices.Clone(parts[:i]), best), parts[i+1:]...)...)
			if _, err := s.get(ctx, candidate); err == nil {
				add(candidate)
			} else {
				add(catalog.Child(e.FQN, best))
			}
		}
	}
	res, err := s.srv.opts.Store.Search(ctx, catalog.SearchQuery{Text: parts[len(parts)-1], Services: s.scope.services(), Limit: 5})
	if err == nil {
		for _, h := range res.Hits {
			add(h.FQN)
		}
	}
	switch {
	case len(suggestions) > 0:
		return apperr.New(apperr.NotFound, "no entity %q (%s); did you mean %s?", fqn, arg, strings.Join(suggestions, ", "))
	case ancestor != nil:
		return apperr.New(apperr.NotFound, "no entity %q (%s); %s %q exists: list what it holds with get_entity or list_entities",
			fqn, arg, ancestor.Kind, ancestor.FQN)
	}
	return apperr.New(apperr.NotFound, "no entity %q (%s); search_catalog finds entities by name", fqn, arg)
}

// service checks a connection argument of a catalog tool: the service must
// be in scope and known to the catalog. "" means every service in scope.
func (s *session) service(ctx context.Context, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil
	}
	if s.scope.allows(name) {
		if _, err := s.srv.opts.Store.Get(ctx, catalog.QuotePart(name)); err == nil {
			return name, nil
		} else if !apperr.Is(err, apperr.NotFound) {
			return "", err
		}
	}
	known, err := s.knownServices(ctx)
	if err != nil {
		return "", err
	}
	if best, ok := textdist.Nearest(name, known); ok {
		return "", apperr.New(apperr.NotFound, "unknown connection %q; did you mean %q?", name, best)
	}
	return "", apperr.New(apperr.NotFound, "unknown connection %q; the catalog holds: %s", name, listOrNone(known))
}

// knownServices lists the catalogued services in scope.
func (s *session) knownServices(ctx context.Context) ([]string, error) {
	var out []string
	after := ""
	for {
		page, err := s.srv.opts.Store.List(ctx, catalog.ListQuery{Kinds: []catalog.Kind{catalog.KindService}, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("listing catalogued services: %w", err)
		}
		for _, e := range page.Entities {
			if s.scope.allows(e.Service) {
				out = append(out, e.Name)
			}
		}
		if page.Next == "" || len(out) > 10*catalog.MaxLimit {
			slices.Sort(out)
			return out, nil
		}
		after = page.Next
	}
}
