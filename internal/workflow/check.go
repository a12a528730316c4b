package workflow

import (
	"errors"
	"fmt"
	"reflect"
	"regexp/syntax"
	"slices"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
)

var (
	awsConfigType     = reflect.TypeFor[awsconn.Config]()
	filterPatternType = reflect.TypeFor[source.FilterPattern]()
)

// checkTypeField checks a config's "type" key against the values its spec
// accepts. An absent key keeps the spec's default.
func (p *parser) checkTypeField(path string, cfg any, allowed []string) {
	v := reflect.ValueOf(cfg).Elem()
	f, ok := fieldByKey(fieldsOf(v.Type()), "type")
	if !ok || f.typ.Kind() != reflect.String || len(allowed) == 0 {
		return
	}
	typePath := joinPath(path, "type")
	if _, written := p.values[typePath]; !written || p.hasFindingUnder(typePath) {
		return
	}
	if got := v.FieldByIndex(f.index).String(); !slices.Contains(allowed, got) {
		p.add(typePath, "%s", enumMessage(typePath, got, allowed))
	}
}

// checkAWS validates the AWS block with awsconn's own rules, placing each
// problem at its field's line, and stores the defaulted block.
func (p *parser) checkAWS(conn source.AWSConfigHolder, serviceName string) {
	base := joinPath(pathConnection, awsConfigKey(reflect.TypeOf(conn).Elem()))
	cfg := conn.AWS().WithDefaults(serviceName)
	*conn.AWS() = cfg
	if p.hasFindingUnder(base) {
		return
	}
	for _, pr := range cfg.Problems() {
		path := joinPath(base, pr.Field)
		p.add(path, "%s: %s", path, pr.Message)
	}
}

// awsConfigKey is the YAML key holding the connection's awsconn.Config:
// awsConfig for every source embedding source.AWSConnection.
func awsConfigKey(t reflect.Type) string {
	for _, f := range fieldsOf(t) {
		if f.typ == awsConfigType {
			return f.key
		}
	}
	return "awsConfig"
}

// checkFilters compiles every FilterPattern reachable from v, reporting
// each bad regex at its own list item.
func (p *parser) checkFilters(path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			p.checkFilters(path, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			p.checkFilters(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == filterPatternType {
			fp := v.Interface().(source.FilterPattern)
			p.checkPatterns(joinPath(path, "includes"), fp.Includes)
			p.checkPatterns(joinPath(path, "excludes"), fp.Excludes)
			return
		}
		for _, f := range fieldsOf(v.Type()) {
			p.checkFilters(joinPath(path, f.key), v.FieldByIndex(f.index))
		}
	}
}

func (p *parser) checkPatterns(path string, patterns []string) {
	for i, pat := range patterns {
		// Compiled one by one with FilterPattern's own rules, so every bad
		// pattern is reported, not only the first of the list.
		_, err := source.FilterPattern{Includes: []string{pat}}.Compile("")
		if err == nil {
			continue
		}
		item := fmt.Sprintf("%s[%d]", path, i)
		reason := err.Error()
		// The syntax error quotes the pattern as wrapped for matching;
		// its code alone reads better next to the pattern as written.
		var se *syntax.Error
		if errors.As(err, &se) {
			reason = se.Code.String()
		}
		p.add(item, "%s: invalid regular expression %q: %s", item, pat, reason)
	}
}
