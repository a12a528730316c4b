package catalog

import (
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
)

// One request model for catalog reads. The REST API, the MCP tools and the
// CLI each receive a read in their own shape (query parameters, JSON
// arguments, flags); they copy it into ReadArgs and call Surface.ParseRead,
// so kinds, FQNs, limits, offsets and times mean the same everywhere.

// Surface is a way people and agents read the catalog.
type Surface int

const (
	SurfaceREST Surface = iota
	SurfaceMCP
	SurfaceCLI
)

// Read is one kind of catalog read.
type Read int

const (
	ReadSearch  Read = iota // ranked full-text search
	ReadList                // entities under a parent or service
	ReadChanges             // changes since a time
	ReadHistory             // one entity's changes
	ReadScans               // scan records
)

// MaxOffset bounds search paging. Ranked pages past it cost a scan of every
// better match and tell nobody anything; narrowing the search does.
const MaxOffset = 10_000

// DefaultPageSize is the one table of default page sizes, per surface and
// read. Everything not named here pages by DefaultLimit.
func (s Surface) DefaultPageSize(r Read) int {
	switch {
	case s == SurfaceMCP && r == ReadSearch:
		return 20 // an agent pays for every hit it reads: a short first page
	case r == ReadScans:
		return 20 // the latest few scans answer "did it run"
	}
	return DefaultLimit
}

// DefaultSince is where a changes read starts when the caller gives no
// time: agents get the last day, people the whole history.
func (s Surface) DefaultSince(now time.Time) time.Time {
	if s == SurfaceMCP {
		return now.Add(-24 * time.Hour)
	}
	return time.Time{}
}

// param is how the surface spells a field in what users type, for errors.
func (s Surface) param(field string) string {
	switch s {
	case SurfaceREST:
		if field == "text" {
			field = "q"
		}
		return "query parameter " + field
	case SurfaceCLI:
		if field == "text" {
			return "the search text"
		}
		return "--" + field
	}
	switch field {
	case "text":
		return "query"
	case "kind":
		return "kinds"
	case "service":
		return "connection"
	case "offset":
		return "cursor"
	}
	return field
}

// ReadArgs is a catalog read as a surface received it, not yet checked.
type ReadArgs struct {
	Text     string
	Kinds    []string // kind names in any case, each possibly comma-separated
	Services []string // serviceNames; list, changes and scans take at most one
	Parent   string   // an FQN as typed; "" for none
	After    string   // list cursor: an FQN
	Since    string   // RFC 3339 time, date, or duration back from now; "" for the surface's default
	Limit    int      // 0 for the surface's default
	Offset   int
	Deleted  bool
}

// ReadRequest is a checked catalog read, the same whatever the surface.
type ReadRequest struct {
	Text     string
	Kinds    []Kind
	Services []string
	Parent   string    // canonical FQN, "" for none
	After    string    // list cursor
	Since    time.Time // zero: from the beginning
	Limit    int       // 1..MaxLimit
	// LimitGiven is true when the caller chose the limit: MCP then allows
	// a larger response.
	LimitGiven bool
	Offset     int // 0..MaxOffset
	Deleted    bool
}

// ParseRead checks a read received by surface s. Only the fields read r
// takes are looked at: text for search, since for changes, offset for
// search and changes. Every bad value is an apperr.Invalid naming the
// parameter as the surface spells it.
func (s Surface) ParseRead(r Read, a ReadArgs, now time.Time) (ReadRequest, error) {
	req := ReadRequest{After: a.After, Deleted: a.Deleted}
	var err error
	if req.Kinds, err = ParseKinds(s.param("kind"), a.Kinds); err != nil {
		return ReadRequest{}, err
	}
	if r == ReadSearch {
		// Empty text with kinds lists those kinds.
		if strings.TrimSpace(a.Text) == "" && len(req.Kinds) == 0 {
			return ReadRequest{}, apperr.New(apperr.Invalid, "%s is required: words to look for in names, descriptions and columns (or empty text with %s, to list those kinds)", s.param("text"), s.param("kind"))
		}
		req.Text = a.Text
	}
	for _, svc := range a.Services {
		if svc = strings.TrimSpace(svc); svc != "" {
			req.Services = append(req.Services, svc)
		}
	}
	if len(req.Services) > 1 && r != ReadSearch {
		return ReadRequest{}, apperr.New(apperr.Invalid, "%s: give one service, not %d", s.param("service"), len(req.Services))
	}
	if p := strings.TrimSpace(a.Parent); p != "" && (r == ReadList || r == ReadChanges) {
		if req.Parent, err = NormalizeFQN(p); err != nil {
			return ReadRequest{}, apperr.Wrap(apperr.Invalid, err, "%s", s.param("parent"))
		}
	}
	if r == ReadChanges {
		if a.Since == "" {
			req.Since = s.DefaultSince(now)
		} else if req.Since, err = ParseSince(s.param("since"), a.Since, now); err != nil {
			return ReadRequest{}, err
		}
	}
	if req.Limit, req.LimitGiven, err = BoundLimit(s.param("limit"), a.Limit, s.DefaultPageSize(r), MaxLimit); err != nil {
		return ReadRequest{}, err
	}
	if r == ReadSearch || r == ReadChanges {
		switch {
		case a.Offset < 0:
			return ReadRequest{}, apperr.New(apperr.Invalid, "%s %d: must not be negative", s.param("offset"), a.Offset)
		case a.Offset > MaxOffset:
			return ReadRequest{}, apperr.New(apperr.Invalid, "%s %d: pages end at %d results; narrow the read with kinds or services instead", s.param("offset"), a.Offset, MaxOffset)
		}
		req.Offset = a.Offset
	}
	return req, nil
}

// Search is the store query of a search request.
func (r ReadRequest) Search() SearchQuery {
	return SearchQuery{Text: r.Text, Kinds: r.Kinds, Services: r.Services, IncludeDeleted: r.Deleted, Offset: r.Offset, Limit: r.Limit}
}

// List is the store query of a list request.
func (r ReadRequest) List() ListQuery {
	return ListQuery{ParentFQN: r.Parent, Service: r.Service(), Kinds: r.Kinds, IncludeDeleted: r.Deleted, After: r.After, Limit: r.Limit}
}

// Changes is the store query of a changes request.
func (r ReadRequest) Changes() ChangesQuery {
	return ChangesQuery{Service: r.Service(), ParentFQN: r.Parent, Since: r.Since, Kinds: r.Kinds, Limit: r.Limit}
}

// Service is the one service of a list, changes or scans read, or "".
func (r ReadRequest) Service() string {
	if len(r.Services) == 0 {
		return ""
	}
	return r.Services[0]
}

// ParseKinds reads kind names typed by a user, in any case, repeated or
// comma-separated; blanks are ignored. param names the argument in errors.
func ParseKinds(param string, raw []string) ([]Kind, error) {
	var out []Kind
	for _, v := range raw {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			k, err := ParseKind(strings.ToLower(s))
			if err != nil {
				return nil, apperr.Wrap(apperr.Invalid, err, "%s", param)
			}
			out = append(out, k)
		}
	}
	return out, nil
}

// BoundLimit applies the rule every page size follows: 0 means def,
// negatives are refused, and anything above max is cut to max. given says
// the caller chose the size.
func BoundLimit(param string, n, def, max int) (limit int, given bool, err error) {
	switch {
	case n < 0:
		return 0, false, apperr.New(apperr.Invalid, "%s %d: must be a positive number, not negative; 0 (or absent) means the default %d", param, n, def)
	case n == 0:
		return def, false, nil
	case n > max:
		return max, true, nil
	}
	return n, true, nil
}

// maxSinceDays bounds "Nd" so the duration cannot overflow.
const maxSinceDays = 100 * 366

// ParseSince reads an RFC 3339 time, a date, or a duration back from now;
// days ("7d") are accepted because people and agents write them.
func ParseSince(param, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if strings.HasSuffix(s, "d") {
		if n, convErr := strconv.Atoi(strings.TrimSuffix(s, "d")); convErr == nil && n <= maxSinceDays {
			d, err = time.Duration(n)*24*time.Hour, nil
		}
	}
	if err != nil || d < 0 {
		return time.Time{}, apperr.New(apperr.Invalid, "%s %q: give an RFC 3339 time like 2025-01-31T00:00:00Z, a date like 2025-01-31, or a duration back from now like 90m, 24h or 7d", param, s)
	}
	return now.Add(-d), nil
}
