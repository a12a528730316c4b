package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/textdist"
)

// argShape is how lenient argument reading treats one input field.
type argShape int

const (
	shapeOther  argShape = iota
	shapeNumber          // "5" is read as 5
	shapeBool            // "true" is read as true
	shapeList            // "table" is read as ["table"]
)

// argShapes maps each JSON field of a tool's input struct to its shape,
// following embedded structs (Conn), so the middleware can coerce what
// agents commonly send before the SDK validates against the schema.
func argShapes(t reflect.Type) map[string]argShape {
	out := map[string]argShape{}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			for k, v := range argShapes(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			out[name] = shapeNumber
		case reflect.Bool:
			out[name] = shapeBool
		case reflect.Slice:
			if ft.Elem().Kind() == reflect.String {
				out[name] = shapeList
			} else {
				out[name] = shapeOther
			}
		default:
			out[name] = shapeOther
		}
	}
	return out
}

// coerceArgs rewrites a tool call's arguments the way an agent meant them:
// null for an optional argument means "not given", a numeric string is a
// number, "true"/"false" a boolean, and a single string where a list is
// expected a one-element list. Anything else is left for schema validation
// to refuse with its own message. It returns raw unchanged when nothing
// needs rewriting or raw is not an object.
func coerceArgs(raw json.RawMessage, shapes map[string]argShape) json.RawMessage {
	if len(raw) == 0 || len(shapes) == 0 {
		return raw
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw
	}
	changed := false
	for k, v := range m {
		shape, known := shapes[k]
		if !known {
			continue
		}
		v = bytes.TrimSpace(v)
		if string(v) == "null" {
			delete(m, k)
			changed = true
			continue
		}
		if len(v) == 0 || v[0] != '"' {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			continue
		}
		s = strings.TrimSpace(s)
		switch shape {
		case shapeNumber:
			if s == "" {
				delete(m, k)
				changed = true
			} else if f, err := strconv.ParseFloat(s, 64); err == nil {
				m[k] = json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64))
				changed = true
			}
		case shapeBool:
			if b, err := strconv.ParseBool(s); err == nil {
				m[k] = json.RawMessage(strconv.FormatBool(b))
				changed = true
			}
		case shapeList:
			b, _ := json.Marshal([]string{s})
			m[k] = b
			changed = true
		}
	}
	if !changed {
		return raw
	}
	b, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return b
}

// callMiddleware runs before the SDK looks a tool up: it coerces the
// arguments of the session's tools, and answers a call to a write tool the
// session lacks with why it lacks it (rather than the SDK's bare "unknown
// tool"), sending nothing to AWS.
func (s *session) callMiddleware(registered map[string]toolDef) mcp.Middleware {
	byName := map[string]toolDef{}
	for _, t := range s.srv.tools {
		byName[t.tool.Name] = t
	}
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if method != "tools/call" || !ok || call.Params == nil {
				return next(ctx, method, req)
			}
			if t, ok := registered[call.Params.Name]; ok {
				if err := unknownArg(t, call.Params.Arguments); err != nil {
					res := &mcp.CallToolResult{}
					res.SetError(s.toolError(t.tool.Name, err))
					return res, nil
				}
				call.Params.Arguments = coerceArgs(call.Params.Arguments, t.shapes)
				return next(ctx, method, req)
			}
			if t, ok := byName[call.Params.Name]; ok && t.class == liveWrite {
				res := &mcp.CallToolResult{}
				res.SetError(s.toolError(t.tool.Name, s.missingWrite(ctx, t, call.Params.Arguments)))
				return res, nil
			}
			return next(ctx, method, req)
		}
	}
}

// missingWrite explains why this session has no such write tool. The
// session's tool list was fixed when it connected, so this names what
// decided it: a read-only scope, or the connection's access level.
func (s *session) missingWrite(ctx context.Context, t toolDef, raw json.RawMessage) error {
	var in Conn
	_ = json.Unmarshal(raw, &in)
	name := strings.TrimSpace(in.Connection)
	s.srv.logger.Info("mcp write tool refused: not in this session", "tool", t.tool.Name, "client", s.scope.Name, "connection", name)
	head := "`" + t.tool.Name + "` is available only on ReadWrite connections; "
	const tail = "; nothing was sent to AWS"
	if s.scope.ReadOnly {
		return writeRefusal(head + "this session (`" + s.scope.Name + "`) is ReadOnly" + tail)
	}
	if name == "" {
		return writeRefusal(head + "no connection this session reaches is ReadWrite" + tail + " (list_connections shows their access levels)")
	}
	conns, err := s.srv.reachable(ctx, s.scope)
	if err == nil {
		for _, c := range conns {
			if c.Name == name {
				return writeRefusal(head + "`" + name + "` is ReadOnly" + tail)
			}
		}
	}
	return writeRefusal(head + "`" + name + "` is not a connection this session can use" + tail + " (list_connections shows them)")
}

func writeRefusal(msg string) error { return apperr.New(apperr.AccessDenied, "%s", msg) }

// unknownArg refuses an argument the tool does not take, naming the one
// meant: the schemas leave additionalProperties open to stay small, and a
// misspelt argument silently ignored would answer another question.
func unknownArg(t toolDef, raw json.RawMessage) error {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	known := make([]string, 0, len(t.shapes))
	for k := range t.shapes {
		known = append(known, k)
	}
	slices.Sort(known)
	for k := range m {
		if _, ok := t.shapes[k]; ok {
			continue
		}
		if best, ok := textdist.Nearest(k, known); ok {
			return apperr.New(apperr.Invalid, "%s takes no argument %q; did you mean %q?", t.tool.Name, clipped(k, 60), best)
		}
		return apperr.New(apperr.Invalid, "%s takes no argument %q; it takes %s", t.tool.Name, clipped(k, 60), strings.Join(known, ", "))
	}
	return nil
}
