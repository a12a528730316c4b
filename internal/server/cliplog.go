package server

import (
	"context"
	"fmt"
	"log/slog"
	"unicode/utf8"
)

// MaxLogValue bounds one logged string: a request error can quote what the
// caller sent (a 700 KB query once made a 689 KB log line).
const MaxLogValue = 512

// ClipHandler wraps a slog.Handler so that no message or string value
// exceeds MaxLogValue bytes.
func ClipHandler(h slog.Handler) slog.Handler { return clipHandler{h} }

type clipHandler struct{ next slog.Handler }

func (c clipHandler) Enabled(ctx context.Context, l slog.Level) bool { return c.next.Enabled(ctx, l) }

func (c clipHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, clip(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(clipAttr(a))
		return true
	})
	return c.next.Handle(ctx, out)
}

func (c clipHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clipped := make([]slog.Attr, len(as))
	for i, a := range as {
		clipped[i] = clipAttr(a)
	}
	return clipHandler{c.next.WithAttrs(clipped)}
}

func (c clipHandler) WithGroup(name string) slog.Handler { return clipHandler{c.next.WithGroup(name)} }

func clipAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, clip(v.String()))
	case slog.KindGroup:
		as := v.Group()
		clipped := make([]any, len(as))
		for i, g := range as {
			clipped[i] = clipAttr(g)
		}
		return slog.Group(a.Key, clipped...)
	case slog.KindAny:
		// Errors and Stringers become text, clipped.
		if e, ok := v.Any().(error); ok {
			return slog.String(a.Key, clip(e.Error()))
		}
		if s, ok := v.Any().(fmt.Stringer); ok {
			return slog.String(a.Key, clip(s.String()))
		}
		return slog.String(a.Key, clip(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func clip(s string) string {
	if len(s) <= MaxLogValue {
		return s
	}
	cut := MaxLogValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes cut)", len(s)-cut)
}
