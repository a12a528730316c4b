// Package apperr holds the handful of error kinds lakemap surfaces to users and
// turns any error, in one place (Present), into what each surface shows: an
// HTTP status with a problem body, an MCP tool error and a CLI message with
// its exit code.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the user can do about it.
type Kind int

const (
	Internal        Kind = iota // a bug or an unexpected failure
	Invalid                     // bad input: fix the request, config or flag
	NotFound                    // the named thing does not exist
	AccessDenied                // AWS or lakemap refused the caller
	Unauthenticated             // credentials missing, invalid or expired
	Unavailable                 // throttled, unreachable, timed out: retry later
	Conflict                    // the request clashes with existing state
)

var kindNames = [...]string{"internal", "invalid", "not_found", "access_denied", "unauthenticated", "unavailable", "conflict"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error with a kind and, optionally, advice telling the user what to do.
type Error struct {
	Kind   Kind
	Msg    string
	Advice []string
	Err    error
}

func (e *Error) Error() string {
	switch {
	case e.Msg != "" && e.Err != nil:
		return e.Msg + ": " + e.Err.Error()
	case e.Msg != "":
		return e.Msg
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Kind.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind.
func New(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Wrap gives err a kind, keeping it in the chain.
func Wrap(kind Kind, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of the outermost *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// AdviceOf collects the advice of every *Error in err's chain, outermost first.
func AdviceOf(err error) []string {
	var out []string
	for err != nil {
		if e, ok := err.(*Error); ok {
			out = append(out, e.Advice...)
		}
		err = errors.Unwrap(err)
	}
	return out
}

// Is reports whether err has the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// WithKind gives err a kind without changing its message, unless err already
// carries one (a kind chosen nearer the cause knows better). The CLI uses it
// to mark cobra's flag and argument errors Invalid.
func WithKind(kind Kind, err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &Error{Kind: kind, Err: err}
}
