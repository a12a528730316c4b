package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

// MaxBody caps a request body; a longer one is 413.
const MaxBody = 1 << 20

// decode reads a JSON object body into dst: at most MaxBody bytes, unknown
// fields refused, and the fields lakemap generates (ids, External IDs)
// refused by name, so a caller learns they cannot choose them. Every
// refusal is apperr.Invalid naming the field.
func decode(w http.ResponseWriter, r *http.Request, dst any, generated ...string) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return apperr.Wrap(apperr.Invalid, err, "read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Invalid, "the request body is empty: send a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return apperr.New(apperr.Invalid, "the request body is not a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	for name := range fields {
		for _, g := range generated {
			if strings.EqualFold(name, g) {
				return apperr.New(apperr.Invalid, "field %q: lakemap generates it; leave it out", name)
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fieldError(err)
	}
	return nil
}

// fieldError names the field a JSON decoding error is about.
func fieldError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return apperr.New(apperr.Invalid, "field %q: want a %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return apperr.New(apperr.Invalid, "field %s is unknown: see /api/v1/openapi.json for this request's fields", name)
	}
	return apperr.New(apperr.Invalid, "the request body: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// required refuses an empty field.
func required(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return apperr.New(apperr.Invalid, "field %q is required", field)
	}
	return nil
}

// inField names the field an error of a validator is about.
func inField(field string, err error) error {
	if err == nil || !apperr.Is(err, apperr.Invalid) {
		return err
	}
	return apperr.Wrap(apperr.Invalid, err, "field %q", field)
}
