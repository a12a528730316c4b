package datazonefake

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// call is one DataZone request being served; handlers run under the
// fake's lock.
type call struct {
	f       *Fake
	r       *http.Request
	params  map[string]string
	query   url.Values
	in      map[string]any
	account string
	estate  *Estate
}

type route struct {
	method, pattern, op string
	h                   func(c *call) (any, *Fault)
}

// routes are the SDK serializers' HTTP bindings (method and URI).
var routes = []route{
	{"GET", "/v2/domains", "ListDomains", listDomains},
	{"GET", "/v2/domains/{identifier}", "GetDomain", getDomain},
	{"GET", "/v2/domains/{domainIdentifier}/projects", "ListProjects", listProjects},
	{"GET", "/v2/domains/{domainIdentifier}/projects/{identifier}", "GetProject", getProject},
	{"GET", "/v2/domains/{domainIdentifier}/environments", "ListEnvironments", listEnvironments},
	{"GET", "/v2/domains/{domainIdentifier}/environments/{identifier}", "GetEnvironment", getEnvironment},
	{"GET", "/v2/domains/{domainIdentifier}/environment-profiles", "ListEnvironmentProfiles", listEnvProfiles},
	{"GET", "/v2/domains/{domainIdentifier}/environment-profiles/{identifier}", "GetEnvironmentProfile", getEnvProfile},
	{"GET", "/v2/domains/{domainIdentifier}/data-sources", "ListDataSources", listDataSources},
	{"POST", "/v2/domains/{domainIdentifier}/data-sources", "CreateDataSource", createDataSource},
	{"GET", "/v2/domains/{domainIdentifier}/data-sources/{identifier}", "GetDataSource", getDataSource},
	{"PATCH", "/v2/domains/{domainIdentifier}/data-sources/{identifier}", "UpdateDataSource", updateDataSource},
	{"DELETE", "/v2/domains/{domainIdentifier}/data-sources/{identifier}", "DeleteDataSource", deleteDataSource},
	{"POST", "/v2/domains/{domainIdentifier}/listings/search", "SearchListings", searchListings},
	{"POST", "/v2/domains/{domainIdentifier}/listings/change-set", "CreateListingChangeSet", createListingChangeSet},
	{"GET", "/v2/domains/{domainIdentifier}/listings/{identifier}", "GetListing", getListing},
	{"POST", "/v2/domains/{domainIdentifier}/assets", "CreateAsset", createAsset},
	{"GET", "/v2/domains/{domainIdentifier}/assets/{identifier}", "GetAsset", getAsset},
	{"DELETE", "/v2/domains/{domainIdentifier}/assets/{identifier}", "DeleteAsset", deleteAsset},
	{"GET", "/v2/domains/{domainIdentifier}/assets/{identifier}/revisions", "ListAssetRevisions", listAssetRevisions},
	{"POST", "/v2/domains/{domainIdentifier}/assets/{identifier}/revisions", "CreateAssetRevision", createAssetRevision},
	{"GET", "/v2/domains/{domainIdentifier}/form-types/{formTypeIdentifier}", "GetFormType", getFormType},
	{"GET", "/v2/domains/{domainIdentifier}/glossaries/{identifier}", "GetGlossary", getGlossary},
	{"GET", "/v2/domains/{domainIdentifier}/glossary-terms/{identifier}", "GetGlossaryTerm", getGlossaryTerm},
	{"POST", "/v2/domains/{domainIdentifier}/search", "Search", search},
	{"GET", "/v2/domains/{domainIdentifier}/lineage/nodes/{identifier}", "GetLineageNode", getLineageNode},
}

// match finds the route of a request; path parameters come back unescaped.
func match(method, escapedPath string) (route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	for _, rt := range routes {
		if rt.method != method {
			continue
		}
		pat := strings.Split(strings.Trim(rt.pattern, "/"), "/")
		if len(pat) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, p := range pat {
			if strings.HasPrefix(p, "{") {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				params[strings.Trim(p, "{}")] = v
			} else if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt, params, true
		}
	}
	return route{}, nil, false
}

func (c *call) maxResults() (int, *Fault) {
	if v := c.query.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, validation("maxResults must be a positive integer")
		}
		return n, nil
	}
	if v, ok := c.in["maxResults"].(float64); ok {
		return int(v), nil
	}
	return 0, nil
}

func (c *call) token() string {
	if v := c.query.Get("nextToken"); v != "" {
		return v
	}
	s, _ := c.in["nextToken"].(string)
	return s
}

func (c *call) str(name string) string {
	s, _ := c.in[name].(string)
	return s
}

func (c *call) strs(name string) []string {
	raw, _ := c.in[name].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// domain finds the request's domain by id (the SDK sends ids; the fake
// also accepts names, as DataZone does not).
func (c *call) domain(param string) (*Domain, *Fault) {
	id := c.params[param]
	for _, d := range c.estate.Domains {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, notFound("Domain %s not found", id)
}

// pageOut pages items and renders each with render.
func pageOut[T any](c *call, items []T, render func(T) any) (any, *Fault) {
	n, ft := c.maxResults()
	if ft != nil {
		return nil, ft
	}
	p, next, ft := page(c, items, n, c.token())
	if ft != nil {
		return nil, ft
	}
	out := make([]any, 0, len(p))
	for _, v := range p {
		out = append(out, render(v))
	}
	res := map[string]any{"items": out}
	if next != "" {
		res["nextToken"] = next
	}
	return res, nil
}

func notFound(format string, args ...any) *Fault {
	return &Fault{Code: "ResourceNotFoundException", Message: sprintf(format, args...)}
}

func validation(format string, args ...any) *Fault {
	return &Fault{Code: "ValidationException", Message: sprintf(format, args...)}
}
