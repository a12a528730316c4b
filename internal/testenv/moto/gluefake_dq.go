package moto

import (
	"encoding/json"
	"maps"
	"strings"
)

// Data-quality rulesets, stored by name per account and region.

func (f *glueFake) createRuleset(c *fakeCall) (any, *Fault) {
	if fault := c.required("Name", "Ruleset"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.rulesets, c.scope)
	if _, ok := b[c.str("Name")]; ok {
		return nil, alreadyExists("Ruleset %s already exists.", c.str("Name"))
	}
	rs := maps.Clone(c.in)
	delete(rs, "ClientToken")
	now := epoch(f.now())
	rs["CreatedOn"], rs["LastModifiedOn"] = now, now
	b[c.str("Name")] = rs
	return map[string]any{"Name": c.str("Name")}, nil
}

func (f *glueFake) getRuleset(c *fakeCall) (any, *Fault) {
	if fault := c.required("Name"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rs, ok := bucket(f.rulesets, c.scope)[c.str("Name")]
	if !ok {
		return nil, notFound("Cannot find Data Quality Ruleset in account %s with name %s", c.scope.account, c.str("Name"))
	}
	out := maps.Clone(rs)
	delete(out, "Tags") // GetDataQualityRuleset does not return tags
	return out, nil
}

func (f *glueFake) updateRuleset(c *fakeCall) (any, *Fault) {
	if fault := c.required("Name"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rs, ok := bucket(f.rulesets, c.scope)[c.str("Name")]
	if !ok {
		return nil, notFound("Cannot find Data Quality Ruleset in account %s with name %s", c.scope.account, c.str("Name"))
	}
	for _, field := range []string{"Description", "Ruleset"} {
		if v, ok := c.in[field]; ok {
			rs[field] = v
		}
	}
	rs["LastModifiedOn"] = epoch(f.now())
	return map[string]any{"Name": rs["Name"], "Description": rs["Description"], "Ruleset": rs["Ruleset"]}, nil
}

func (f *glueFake) deleteRuleset(c *fakeCall) (any, *Fault) {
	if fault := c.required("Name"); fault != nil {
		return nil, fault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := bucket(f.rulesets, c.scope)
	if _, ok := b[c.str("Name")]; !ok {
		return nil, notFound("Cannot find Data Quality Ruleset in account %s with name %s", c.scope.account, c.str("Name"))
	}
	delete(b, c.str("Name"))
	return nil, nil
}

// listRulesets applies the Filter fields and Tags of the request.
func (f *glueFake) listRulesets(c *fakeCall) (any, *Fault) {
	filter, _ := c.in["Filter"].(map[string]any)
	tags, _ := c.in["Tags"].(map[string]any)
	f.mu.Lock()
	defer f.mu.Unlock()
	var items []any
	for _, rs := range sortedValues(bucket(f.rulesets, c.scope)) {
		if !rulesetMatches(rs, filter, tags) {
			continue
		}
		item := map[string]any{"RuleCount": countRules(rs["Ruleset"])}
		for _, field := range []string{"Name", "Description", "CreatedOn", "LastModifiedOn", "TargetTable", "RecommendationRunId"} {
			if v, ok := rs[field]; ok {
				item[field] = v
			}
		}
		items = append(items, item)
	}
	return listResult{field: "Rulesets", items: items}, nil
}

func rulesetMatches(rs, filter, tags map[string]any) bool {
	for _, field := range []string{"Name", "Description"} {
		if want, ok := filter[field].(string); ok && want != rs[field] {
			return false
		}
	}
	if want, ok := filter["TargetTable"].(map[string]any); ok {
		have, _ := rs["TargetTable"].(map[string]any)
		for _, field := range []string{"DatabaseName", "TableName", "CatalogId"} {
			if w, ok := want[field].(string); ok && !strings.EqualFold(w, str(have[field])) {
				return false
			}
		}
	}
	for field, after := range map[string]bool{"CreatedBefore": false, "CreatedAfter": true, "LastModifiedBefore": false, "LastModifiedAfter": true} {
		limit, ok := number(filter[field])
		if !ok {
			continue
		}
		t, _ := number(rs[strings.TrimSuffix(strings.TrimSuffix(field, "Before"), "After")+"On"])
		if after && t <= limit || !after && t >= limit {
			return false
		}
	}
	have, _ := rs["Tags"].(map[string]any)
	for k, v := range tags {
		if have[k] != v {
			return false
		}
	}
	return true
}

// countRules counts the top-level entries of DQDL's "Rules = [ ... ]".
func countRules(v any) int {
	s, _ := v.(string)
	_, body, ok := strings.Cut(s, "[")
	if !ok {
		return 0
	}
	depth, n, seen, quoted := 1, 0, false, false
	for _, r := range body {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[' || r == '(' || r == '{':
			depth++
		case r == ']' || r == ')' || r == '}':
			depth--
			if depth == 0 {
				if seen {
					n++
				}
				return n
			}
		case r == ',' && depth == 1:
			n++
			seen = false
			continue
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			continue
		}
		seen = true
	}
	return n
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}
