package datazone

import (
	"context"
	"encoding/json"
	"regexp"
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
func (r *domainRun) scanAssets(ctx context.Context) error {
	s := r.s
	var refs []assetRef
	seen := map[string]bool{}
	listingsOK := true
	pages := dz.NewSearchListingsPaginator(s.Client, &dz.SearchListingsInput{DomainIdentifier: aws.String(r.id)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("searching DataZone listings of domain %s", r.id)); err != nil {
				return err
			}
			listingsOK = false
			break
		}
		for _, it := range page.Items {
			l, ok := it.(*types.SearchResultItemMemberAssetListing)
			if !ok || seen[aws.ToString(l.Value.EntityId)] {
				continue
			}
			seen[aws.ToString(l.Value.EntityId)] = true
			refs = append(refs, assetRef{id: aws.ToString(l.Value.EntityId), name: aws.ToString(l.Value.Name), projectID: aws.ToString(l.Value.OwningProjectId),
				listingID: aws.ToString(l.Value.ListingId), listingName: aws.ToString(l.Value.Name), listingRevision: aws.ToString(l.Value.ListingRevision)})
		}
	}
	inventoryOK := true
	if r.search {
		pages := dz.NewSearchPaginator(s.Client, &dz.SearchInput{DomainIdentifier: aws.String(r.id), SearchScope: types.InventorySearchScopeAsset})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				if err := warn(ctx, r.sink, err, fmtErr("searching DataZone assets of domain %s", r.id)); err != nil {
					return err
				}
				inventoryOK = false
				break
			}
			for _, it := range page.Items {
				a, ok := it.(*types.SearchInventoryResultItemMemberAssetItem)
				if !ok || seen[aws.ToString(a.Value.Identifier)] {
					continue
				}
				seen[aws.ToString(a.Value.Identifier)] = true
				refs = append(refs, assetRef{id: aws.ToString(a.Value.Identifier), name: aws.ToString(a.Value.Name), projectID: aws.ToString(a.Value.OwningProjectId)})
			}
		}
	}

	byProject := map[string][]named{}
	for _, a := range refs {
		byProject[a.projectID] = append(byProject[a.projectID], named{a.id, a.name})
	}
	parts := map[string]string{}
	for _, items := range byProject {
		for id, p := range uniqueParts("", items) {
			parts[id] = p
		}
	}
	var mu sync.Mutex
	failedProjects := map[string]bool{}
	listingFailed := false
	err := forEach(ctx, s.Config.ItemThreads, refs, func(ctx context.Context, a assetRef) error {
		assetOK, listingOK, err := r.scanAsset(ctx, a, parts[a.id])
		if !assetOK || !listingOK {
			mu.Lock()
			if !assetOK {
				failedProjects[a.projectID] = true
			}
			if !listingOK {
				listingFailed = true
			}
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		return err
	}
	r.sink.Progress(catalog.KindAsset, len(refs))
	for id, fqn := range r.projects {
		if err := s.complete(ctx, r.sink, listingsOK && inventoryOK && !failedProjects[id], fqn, catalog.KindAsset); err != nil {
			return err
		}
	}
	return s.complete(ctx, r.sink, listingsOK && !listingFailed, r.fqn, catalog.KindListing)
}

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
	// The lead links this to the Glue table entity of the same account.
	setStr(attrs, "glueTableArn", glueARN)
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
