package moto

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// glueFake serves, in Glue's JSON 1.1 protocol, the operations moto 5.2.1
// answers with HTTP 500. It stores what is put and returns what is stored,
// per account and region like AWS. It does not check that the databases
// and tables it is told about exist in moto.
type glueFake struct {
	mu       sync.Mutex
	now      func() time.Time
	funcs    map[scope]map[string]map[string]any // key: db + "\x00" + function
	stats    map[scope]map[string]map[string]any // key: db + "\x00" + table + "\x00" + column
	rulesets map[scope]map[string]map[string]any // key: ruleset name
}

// scope is the account (from the access key, decoded as moto does) and the
// region (from the SigV4 credential scope) a call acts in.
type scope struct{ account, region string }

func newGlueFake() *glueFake {
	return &glueFake{
		now:      time.Now,
		funcs:    map[scope]map[string]map[string]any{},
		stats:    map[scope]map[string]map[string]any{},
		rulesets: map[scope]map[string]map[string]any{},
	}
}

// fakeCall is one request to a faked operation.
type fakeCall struct {
	p     *Pager
	r     *http.Request
	op    string
	in    map[string]any
	scope scope
}

// fakeHandler answers a call with an output object, a listResult for
// paged operations, a rawResponse to relay, or a Fault.
type fakeHandler func(c *fakeCall) (any, *Fault)

type listResult struct {
	field string
	items []any
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// fakePaged lists the faked operations that take NextToken/MaxResults.
var fakePaged = map[string]bool{"SearchTables": true, "GetUserDefinedFunctions": true, "ListDataQualityRulesets": true}

func (p *Pager) fakeHandlers() map[string]fakeHandler {
	f := p.fake
	return map[string]fakeHandler{
		"SearchTables":                   searchTables,
		"CreateUserDefinedFunction":      f.createFunction,
		"UpdateUserDefinedFunction":      f.updateFunction,
		"DeleteUserDefinedFunction":      f.deleteFunction,
		"GetUserDefinedFunction":         f.getFunction,
		"GetUserDefinedFunctions":        f.getFunctions,
		"UpdateColumnStatisticsForTable": f.updateColumnStats,
		"GetColumnStatisticsForTable":    f.getColumnStats,
		"DeleteColumnStatisticsForTable": f.deleteColumnStats,
		"CreateDataQualityRuleset":       f.createRuleset,
		"GetDataQualityRuleset":          f.getRuleset,
		"UpdateDataQualityRuleset":       f.updateRuleset,
		"DeleteDataQualityRuleset":       f.deleteRuleset,
		"ListDataQualityRulesets":        f.listRulesets,
	}
}

func (p *Pager) serveFake(w http.ResponseWriter, r *http.Request, h fakeHandler, body []byte) {
	op := opName(r, body)
	var pr pageRequest
	if fakePaged[op] {
		var fault *Fault
		if pr, fault = parsePageRequest(op, body); fault != nil {
			writeJSONError(w, *fault)
			return
		}
		if pr.nextToken != "" {
			p.mu.Lock()
			c, ok := p.cursors[pr.nextToken]
			p.mu.Unlock()
			if !ok || c.key != pr.key {
				writeJSONError(w, *invalidInput("NextToken %q was not issued for this request", pr.nextToken))
				return
			}
			p.writePage(w, c, pr.maxResults)
			return
		}
	}
	in := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&in); err != nil {
			writeJSONError(w, *invalidInput("request body is not JSON: %v", err))
			return
		}
	}
	c := &fakeCall{p: p, r: r, op: op, in: in}
	if cs := credentialScope(r.Header.Get("Authorization")); len(cs) >= 3 {
		c.scope = scope{account: accountOf(strings.TrimSpace(cs[0])), region: cs[2]}
	}
	out, fault := h(c)
	switch {
	case fault != nil:
		writeJSONError(w, *fault)
	case out == nil:
		writeJSON(w, map[string]any{})
	default:
		switch v := out.(type) {
		case rawResponse:
			relay(w, v.status, v.header, v.body)
		case listResult:
			items := make([]json.RawMessage, len(v.items))
			for i, it := range v.items {
				items[i], _ = json.Marshal(it)
			}
			p.writePage(w, &cursor{key: pr.key, field: v.field, items: items}, pr.maxResults)
		default:
			writeJSON(w, out)
		}
	}
}

// motoAccountOffset and motoKeyAlphabet are moto's (and AWS's) encoding
// of the account id in an access key id.
var (
	motoAccountOffset = big.NewInt(549755813888)
	motoKeyAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// accountOf decodes the account id moto put into an AKIA/ASIA key; other
// keys (like "test") belong to moto's default account.
func accountOf(key string) string {
	if len(key) != 20 || (!strings.HasPrefix(key, "AKIA") && !strings.HasPrefix(key, "ASIA")) {
		return DefaultAccountID
	}
	raw, err := base32.StdEncoding.DecodeString(key[4:12])
	if err != nil {
		return DefaultAccountID
	}
	n := new(big.Int).Sub(new(big.Int).SetBytes(raw), motoAccountOffset)
	n.Mul(n, big.NewInt(2))
	if strings.IndexByte(motoKeyAlphabet, key[12]) >= 16 {
		n.Add(n, big.NewInt(1))
	}
	if n.Sign() < 0 || n.Cmp(big.NewInt(999999999999)) > 0 {
		return DefaultAccountID
	}
	return fmt.Sprintf("%012d", n)
}

func (c *fakeCall) str(name string) string {
	s, _ := c.in[name].(string)
	return s
}

func (c *fakeCall) required(names ...string) *Fault {
	for _, n := range names {
		if c.str(n) == "" {
			return invalidInput("%s is required", n)
		}
	}
	return nil
}

func notFound(format string, args ...any) *Fault {
	return &Fault{Code: "EntityNotFoundException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func alreadyExists(format string, args ...any) *Fault {
	return &Fault{Code: "AlreadyExistsException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// epoch is how JSON 1.1 carries timestamps: seconds since 1970.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// key joins name parts; Glue database and table names are case-insensitive.
func key(parts ...string) string { return strings.ToLower(strings.Join(parts, "\x00")) }

func bucket(m map[scope]map[string]map[string]any, s scope) map[string]map[string]any {
	b := m[s]
	if b == nil {
		b = map[string]map[string]any{}
		m[s] = b
	}
	return b
}

// sortedValues returns a bucket's items ordered by key.
func sortedValues(b map[string]map[string]any) []map[string]any {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		out[i] = b[k]
	}
	return out
}

// globPattern turns Glue's function-name pattern ("*" wildcards, "|"
// alternatives) into an anchored, case-insensitive regexp.
func globPattern(p string) (*regexp.Regexp, error) {
	alts := strings.Split(p, "|")
	for i, a := range alts {
		alts[i] = strings.ReplaceAll(regexp.QuoteMeta(strings.TrimSpace(a)), `\*`, ".*")
	}
	return regexp.Compile("(?i)^(" + strings.Join(alts, "|") + ")$")
}
