package moto

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// pagedLists names the list field of each Glue operation moto answers in
// one page.
var pagedLists = map[string]string{
	"GetDatabases":     "DatabaseList",
	"GetTables":        "TableList",
	"GetPartitions":    "Partitions",
	"GetTableVersions": "TableVersions",
}

// cursor is the state behind one NextToken: the full list as it was when
// the listing began, so every page of one listing sees the same data.
type cursor struct {
	key    string
	field  string
	items  []json.RawMessage
	offset int
}

// pageRequest holds the paging fields of a Glue list request; key is the
// request without them, which a NextToken must be used with.
type pageRequest struct {
	key        string
	nextToken  string
	maxResults int
	segment    *segment
}

type segment struct {
	SegmentNumber int
	TotalSegments int
}

func parsePageRequest(op string, body []byte) (pageRequest, *Fault) {
	fields := map[string]json.RawMessage{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &fields); err != nil {
			return pageRequest{}, invalidInput("request body is not JSON: %v", err)
		}
	}
	var pr pageRequest
	if raw, ok := fields["NextToken"]; ok {
		if err := json.Unmarshal(raw, &pr.nextToken); err != nil {
			return pageRequest{}, invalidInput("NextToken must be a string")
		}
	}
	if raw, ok := fields["MaxResults"]; ok {
		if err := json.Unmarshal(raw, &pr.maxResults); err != nil || pr.maxResults < 1 {
			return pageRequest{}, invalidInput("MaxResults must be a positive integer")
		}
	}
	if raw, ok := fields["Segment"]; ok {
		var s segment
		if err := json.Unmarshal(raw, &s); err != nil {
			return pageRequest{}, invalidInput("Segment must be an object")
		}
		if s.TotalSegments < 1 || s.TotalSegments > 10 || s.SegmentNumber < 0 || s.SegmentNumber >= s.TotalSegments {
			return pageRequest{}, invalidInput("Segment %d of %d: TotalSegments must be 1-10 and SegmentNumber 0-%d", s.SegmentNumber, s.TotalSegments, max(s.TotalSegments-1, 0))
		}
		pr.segment = &s
	}
	// Segment stays in the key: a token walks one segment's items.
	delete(fields, "NextToken")
	delete(fields, "MaxResults")
	key, _ := json.Marshal(fields) // map keys come out sorted
	pr.key = op + " " + string(key)
	return pr, nil
}

func (p *Pager) servePaged(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	pr, fault := parsePageRequest(op, body)
	if fault != nil {
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

	// moto ignores MaxResults, NextToken and Segment, so the original,
	// signed body can go upstream unchanged.
	status, header, respBody, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var resp map[string]json.RawMessage
	if status != http.StatusOK || json.Unmarshal(respBody, &resp) != nil {
		relay(w, status, header, respBody)
		return
	}
	field := pagedLists[op]
	var items []json.RawMessage
	if raw := resp[field]; len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &items); err != nil {
			http.Error(w, fmt.Sprintf("moto's %s.%s is not a list: %v", op, field, err), http.StatusBadGateway)
			return
		}
	}
	if pr.segment != nil {
		items = segmentOf(items, *pr.segment)
	}
	p.writePage(w, &cursor{key: pr.key, field: field, items: items}, pr.maxResults)
}

// segmentOf keeps item i when i % TotalSegments == SegmentNumber, so the
// segments of one table split its partitions without overlap.
func segmentOf(items []json.RawMessage, s segment) []json.RawMessage {
	var out []json.RawMessage
	for i, it := range items {
		if i%s.TotalSegments == s.SegmentNumber {
			out = append(out, it)
		}
	}
	return out
}

// writePage answers with the page at c.offset and, when items remain, a
// fresh NextToken for the rest.
func (p *Pager) writePage(w http.ResponseWriter, c *cursor, maxResults int) {
	n := p.pageSize
	if maxResults > 0 && maxResults < n {
		n = maxResults
	}
	end := min(c.offset+n, len(c.items))
	page := c.items[c.offset:end]
	if page == nil {
		page = []json.RawMessage{}
	}
	out := map[string]any{c.field: page}
	if end < len(c.items) {
		p.mu.Lock()
		p.nextID++
		token := "lakemap-test-token-" + strconv.Itoa(p.nextID)
		p.cursors[token] = &cursor{key: c.key, field: c.field, items: c.items, offset: end}
		p.mu.Unlock()
		out["NextToken"] = token
	}
	writeJSON(w, out)
}

// writeJSON answers v whole, with its length, as AWS does: not chunked,
// so the client's connection ends each answer where it expects to.
func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "lakemap-test-pager")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

func invalidInput(format string, args ...any) *Fault {
	return &Fault{Code: "InvalidInputException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}
