package datazone

import (
	"cmp"
	"context"
	"encoding/json"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/catalog"
)

// assetRef is what the listing (or the inventory search) says about an
// asset before its per-item calls.
type assetRef struct {
	id, name, projectID string
	listingID           string // "" for an unpublished asset
	listingName         string
	listingRevision     string
}

// formTypeInfo names a form type's fields, read once per domain.
type formTypeInfo struct {
	once   sync.Once
	fields []any
	err    error
}

// scanAssets enumerates published assets with SearchListings (and, with
// datazone:Search, unpublished ones), then reads each: GetAsset,
// ListAssetRevisions, GetFormType per form type, GetListing.
//
// A domain can hold hundreds of thousands of assets, so the list is
// streamed, never held: a first pass over the listings (a page per 50
// assets, against three calls per asset after it) counts the names of
// each project — as hashes, 16 bytes an asset — which is what the FQN
// rule (names.go) needs to know before the first asset is named; the
// second pass hands each page's assets to the per-item workers as it
// arrives, so paging overlaps the per-item calls and at most a page and
// the items in flight are held. An asset published between the passes
// under a name another asset of its project already has may share that
// asset's FQN for one scan; the next scan names both apart.
func (r *domainRun) scanAssets(ctx context.Context) error {
	names, ok, err := r.census(ctx)
	if err != nil || !ok {
		// Without every name, no asset can be named safely: the catalog
		// keeps what it has until a scan lists them all.
		return err
	}
	var mu sync.Mutex
	failedProjects := map[string]bool{}
	listingFailed := false
	n := 0
	threads := r.s.Config.ItemThreads
	if threads <= 0 {
		threads = DefaultItemThreads
	}
	// A page's worth of buffer lets the next page be fetched while the
	// workers still have this one's assets to read.
	work := make(chan assetRef, maxSearchPage)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				assetOK, listingOK, err := r.scanAsset(ctx, a, names.part(a))
				mu.Lock()
				n++
				if !assetOK {
					failedProjects[a.projectID] = true
				}
				if !listingOK {
					listingFailed = true
				}
				mu.Unlock()
				if err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	listingsOK, inventoryOK, err := r.eachAsset(ctx, names.isListed, func(a assetRef) error {
		select {
		case work <- a:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	if err != nil {
		return err
	}
	r.sink.Progress(catalog.KindAsset, n)
	for id, fqn := range r.projects {
		if err := r.s.complete(ctx, r.sink, listingsOK && inventoryOK && !failedProjects[id], fqn, catalog.KindAsset); err != nil {
			return err
		}
	}
	return r.s.complete(ctx, r.sink, listingsOK && !listingFailed, r.fqn, catalog.KindListing)
}

// nameCensus is what the first pass over a domain's assets leaves for the
// second, by 64-bit hashes: the names (project and lower-cased name) more
// than one asset holds, and, when the inventory is searched too, which
// assets are published.
type nameCensus struct {
	shared map[uint64]struct{}
	listed []uint64 // sorted; nil without datazone:Search
}

func hashOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func nameKey(a assetRef) uint64 { return hashOf(a.projectID, strings.ToLower(a.name)) }

// part is a's FQN part under its project: its name, suffixed with its id
// when another asset of the project has the same name (names.go).
func (c *nameCensus) part(a assetRef) string {
	if _, ok := c.shared[nameKey(a)]; ok {
		return a.name + "~" + a.id
	}
	return a.name
}

func (c *nameCensus) isListed(id string) bool {
	_, ok := slices.BinarySearch(c.listed, hashOf(id))
	return ok
}

// census runs the first pass; ok is false when a listing failed (warned).
// It keeps 16 bytes an asset while it runs (24 with the inventory), in
// slices rather than maps (a third of the memory at 50,000 assets): an
// asset seen twice (listed and in the inventory, or moved between pages)
// is dropped by sorting on its id, and shared names are the runs of the
// name keys sorted.
func (r *domainRun) census(ctx context.Context) (*nameCensus, bool, error) {
	type idName struct{ id, name uint64 }
	var seen []idName
	var listed []uint64
	listingsOK, inventoryOK, err := r.eachAsset(ctx, nil, func(a assetRef) error {
		id := hashOf(a.id)
		seen = append(seen, idName{id, nameKey(a)})
		if r.search && a.listingID != "" {
			listed = append(listed, id)
		}
		return nil
	})
	c := &nameCensus{shared: map[uint64]struct{}{}}
	slices.SortFunc(seen, func(a, b idName) int { return cmp.Compare(a.id, b.id) })
	seen = slices.CompactFunc(seen, func(a, b idName) bool { return a.id == b.id })
	slices.SortFunc(seen, func(a, b idName) int { return cmp.Compare(a.name, b.name) })
	for i := 1; i < len(seen); i++ {
		if seen[i].name == seen[i-1].name {
			c.shared[seen[i].name] = struct{}{}
		}
	}
	if listed != nil {
		slices.Sort(listed)
		c.listed = slices.Clip(slices.Compact(listed))
	}
	return c, listingsOK && inventoryOK, err
}

// eachAsset pages through the domain's published assets (SearchListings)
// and, with datazone:Search, its inventory, calling fn per asset; an
// inventory asset listed says is published is skipped (given as published
// already). A listing that moves between pages while they are read may be
// given twice, which writes the same entity twice. A failed listing is warned and reported by its ok flag;
// err is for what stops the scan.
func (r *domainRun) eachAsset(ctx context.Context, listed func(id string) bool, fn func(assetRef) error) (listingsOK, inventoryOK bool, err error) {
	s := r.s
	listingsOK, inventoryOK = true, true
	pages := dz.NewSearchListingsPaginator(s.Client, &dz.SearchListingsInput{DomainIdentifier: aws.String(r.id), MaxResults: aws.Int32(maxSearchPage)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("searching DataZone listings of domain %s", r.id)); err != nil {
				return false, false, err
			}
			listingsOK = false
			break
		}
		for _, it := range page.Items {
			l, ok := it.(*types.SearchResultItemMemberAssetListing)
			if !ok {
				continue
			}
			id := aws.ToString(l.Value.EntityId)
			if err := fn(assetRef{id: id, name: aws.ToString(l.Value.Name), projectID: aws.ToString(l.Value.OwningProjectId),
				listingID: aws.ToString(l.Value.ListingId), listingName: aws.ToString(l.Value.Name), listingRevision: aws.ToString(l.Value.ListingRevision)}); err != nil {
				return false, false, err
			}
		}
	}
	if !r.search {
		return listingsOK, true, nil
	}
	inv := dz.NewSearchPaginator(s.Client, &dz.SearchInput{DomainIdentifier: aws.String(r.id), SearchScope: types.InventorySearchScopeAsset, MaxResults: aws.Int32(maxSearchPage)})
	for inv.HasMorePages() {
		page, err := inv.NextPage(ctx)
		if err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("searching DataZone assets of domain %s", r.id)); err != nil {
				return false, false, err
			}
			inventoryOK = false
			break
		}
		for _, it := range page.Items {
			a, ok := it.(*types.SearchInventoryResultItemMemberAssetItem)
			if !ok {
				continue
			}
			id := aws.ToString(a.Value.Identifier)
			if listed != nil && listed(id) {
				continue
			}
			if err := fn(assetRef{id: id, name: aws.ToString(a.Value.Name), projectID: aws.ToString(a.Value.OwningProjectId)}); err != nil {
				return false, false, err
			}
		}
	}
	return listingsOK, inventoryOK, nil
}

// maxSearchPage is the most SearchListings and Search return per page.
const maxSearchPage = 50

// scanAsset reads and emits one asset and its listing. assetOK and
// listingOK say whether each was read; err is for what stops the scan.
func (r *domainRun) scanAsset(ctx context.Context, a assetRef, part string) (assetOK, listingOK bool, err error) {
	s := r.s
	projectFQN, ok := r.projects[a.projectID]
	if !ok {
		return false, a.listingID == "", warn(ctx, r.sink, errUnknownProject(a), fmtErr("placing DataZone asset %q", a.name))
	}
	out, err := s.Client.GetAsset(ctx, &dz.GetAssetInput{DomainIdentifier: aws.String(r.id), Identifier: aws.String(a.id)})
	if err != nil {
		return false, a.listingID == "", warn(ctx, r.sink, err, fmtErr("reading DataZone asset %q", a.name))
	}
	attrs := map[string]any{"id": a.id, "listed": a.listingID != ""}
	setStr(attrs, "typeIdentifier", aws.ToString(out.TypeIdentifier))
	setStr(attrs, "typeRevision", aws.ToString(out.TypeRevision))
	setStr(attrs, "revision", aws.ToString(out.Revision))
	setStr(attrs, "owningProjectId", aws.ToString(out.OwningProjectId))
	setStr(attrs, "createdBy", aws.ToString(out.CreatedBy))
	setStr(attrs, "externalIdentifier", aws.ToString(out.ExternalIdentifier))
	setStrs(attrs, "glossaryTerms", out.GlossaryTerms)
	setStrs(attrs, "governedGlossaryTerms", out.GovernedGlossaryTerms)
	if out.Listing != nil {
		setStr(attrs, "listingId", aws.ToString(out.Listing.ListingId))
		setStr(attrs, "status", string(out.Listing.ListingStatus))
	}
	r.addTerms(out.GlossaryTerms)
	forms := map[string]any{}
	glueARN := glueTableARN(aws.ToString(out.ExternalIdentifier))
	for _, f := range append(out.FormsOutput, out.ReadOnlyFormsOutput...) {
		form := map[string]any{}
		setStr(form, "type", aws.ToString(f.TypeName))
		setStr(form, "typeRevision", aws.ToString(f.TypeRevision))
		if c := aws.ToString(f.Content); c != "" {
			var content any
			if json.Unmarshal([]byte(c), &content) == nil {
				form["content"] = content
				if m, ok := content.(map[string]any); ok && glueARN == "" {
					if v, ok := m["tableArn"].(string); ok {
						glueARN = glueTableARN(v)
					}
				}
			} else {
				form["content"] = c
			}
		}
		if fields, err := r.formFields(ctx, aws.ToString(f.TypeName), aws.ToString(f.TypeRevision)); err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("reading DataZone form type %q", aws.ToString(f.TypeName))); err != nil {
				return false, false, err
			}
		} else if fields != nil {
			form["fields"] = fields
		}
		forms[aws.ToString(f.FormName)] = form
	}
	if len(forms) > 0 {
		attrs["forms"] = forms
	}
	// The lineage pass links this to the Glue table entity of the same
	// account.
	setStr(attrs, "glueTableArn", glueARN)
	node, err := r.lineageNode(ctx, a.id, a.name)
	if err != nil {
		return false, false, err
	}
	if node != nil {
		attrs[AttrLineageNode] = node
	}
	var revs []any
	revPages := dz.NewListAssetRevisionsPaginator(s.Client, &dz.ListAssetRevisionsInput{DomainIdentifier: aws.String(r.id), Identifier: aws.String(a.id)})
	for revPages.HasMorePages() {
		page, err := revPages.NextPage(ctx)
		if err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("listing revisions of DataZone asset %q", a.name)); err != nil {
				return false, false, err
			}
			revs = nil
			break
		}
		for _, rv := range page.Items {
			m := map[string]any{"revision": aws.ToString(rv.Revision)}
			setStr(m, "createdAt", rfc3339(rv.CreatedAt))
			setStr(m, "createdBy", aws.ToString(rv.CreatedBy))
			revs = append(revs, m)
		}
	}
	if revs != nil {
		attrs["revisions"] = revs
		attrs["revisionCount"] = int64(len(revs))
	}
	e := entity(catalog.KindAsset, s.ServiceName, projectFQN, part, aws.ToString(out.Name), aws.ToString(out.Description), attrs)
	e.SourceCreated, e.SourceUpdated = utc(out.FirstRevisionCreatedAt), utc(out.CreatedAt)
	if err := r.sink.Emit(ctx, e); err != nil {
		return false, false, err
	}
	if a.listingID == "" {
		return true, true, nil
	}
	ok, err = r.scanListing(ctx, a, e.FQN)
	return true, ok, err
}

func (r *domainRun) scanListing(ctx context.Context, a assetRef, assetFQN string) (bool, error) {
	out, err := r.s.Client.GetListing(ctx, &dz.GetListingInput{DomainIdentifier: aws.String(r.id), Identifier: aws.String(a.listingID)})
	if err != nil {
		return false, warn(ctx, r.sink, err, fmtErr("reading DataZone listing %q", a.listingName))
	}
	attrs := map[string]any{"id": a.listingID, "status": string(out.Status), "assetId": a.id, "assetFqn": assetFQN}
	setStr(attrs, "listingRevision", aws.ToString(out.ListingRevision))
	setStr(attrs, "createdBy", aws.ToString(out.CreatedBy))
	if item, ok := out.Item.(*types.ListingItemMemberAssetListing); ok {
		setStr(attrs, "assetType", aws.ToString(item.Value.AssetType))
		setStr(attrs, "assetRevision", aws.ToString(item.Value.AssetRevision))
		setStr(attrs, "owningProjectId", aws.ToString(item.Value.OwningProjectId))
		var terms []any
		for _, t := range item.Value.GlossaryTerms {
			terms = append(terms, map[string]any{"name": aws.ToString(t.Name), "shortDescription": aws.ToString(t.ShortDescription)})
		}
		if terms != nil {
			attrs["glossaryTerms"] = terms
		}
	}
	e := entity(catalog.KindListing, r.s.ServiceName, r.fqn, prefixListing+a.listingID, aws.ToString(out.Name), aws.ToString(out.Description), attrs)
	e.SourceCreated, e.SourceUpdated = utc(out.CreatedAt), utc(out.UpdatedAt)
	return true, r.sink.Emit(ctx, e)
}

// formFields returns a form type's fields [{name, type}] from its Smithy
// model, calling GetFormType once per type and revision per domain.
func (r *domainRun) formFields(ctx context.Context, name, revision string) ([]any, error) {
	if name == "" {
		return nil, nil
	}
	key := name + "@" + revision
	r.mu.Lock()
	ft := r.formTypes[key]
	if ft == nil {
		ft = &formTypeInfo{}
		r.formTypes[key] = ft
	}
	r.mu.Unlock()
	ft.once.Do(func() {
		in := &dz.GetFormTypeInput{DomainIdentifier: aws.String(r.id), FormTypeIdentifier: aws.String(name)}
		if revision != "" {
			in.Revision = aws.String(revision)
		}
		out, err := r.s.Client.GetFormType(ctx, in)
		if err != nil {
			ft.err = err
			return
		}
		if m, ok := out.Model.(*types.ModelMemberSmithy); ok {
			ft.fields = smithyFields(m.Value)
		}
	})
	return ft.fields, ft.err
}

var smithyMember = regexp.MustCompile(`(?m)([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z_][A-Za-z0-9_.#]*)`)

// smithyFields lists the members of a form type's structure: the names a
// form's content uses. Traits (@required...) are skipped; nested shapes
// are listed as their type name.
func smithyFields(model string) []any {
	start := strings.IndexByte(model, '{')
	end := strings.LastIndexByte(model, '}')
	if start < 0 || end < start {
		return nil
	}
	var out []any
	for _, m := range smithyMember.FindAllStringSubmatch(model[start+1:end], -1) {
		out = append(out, map[string]any{"name": m[1], "type": m[2]})
	}
	return out
}

// glueTableARN returns arn when it names a Glue table, "" otherwise.
func glueTableARN(arn string) string {
	if strings.HasPrefix(arn, "arn:aws") && strings.Contains(arn, ":glue:") && strings.Contains(arn, ":table/") {
		return arn
	}
	return ""
}

type unknownProjectError struct{ asset, project string }

func (e *unknownProjectError) Error() string {
	return "asset " + e.asset + " belongs to project " + e.project + ", which ListProjects did not return"
}

func errUnknownProject(a assetRef) error { return &unknownProjectError{a.id, a.projectID} }
