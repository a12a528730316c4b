package webpanels

import (
	"errors"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/web"
)

func TestInputOfTheConnectForm(t *testing.T) {
	req := web.ConnectRequest{Service: "glue", Name: "lake", Region: "us-east-1", AccessLevel: "ReadOnly",
		Options: map[string]string{"include": "^sales, ^ops", "exclude": "_tmp$", "partitions": "0", "statistics": "false"}}
	in, err := inputOf(req)
	if err != nil {
		t.Fatal(err)
	}
	f := in.SourceConfig["databaseFilterPattern"].(map[string]any)
	if len(f["includes"].([]any)) != 2 || f["excludes"].([]any)[0] != "_tmp$" ||
		in.SourceConfig["includePartitions"] != false || in.SourceConfig["includeColumnStatistics"] != false {
		t.Errorf("sourceConfig %v", in.SourceConfig)
	}
	s3, err := inputOf(web.ConnectRequest{Service: "s3", Options: map[string]string{"include": "logs"}})
	if err != nil || s3.SourceConfig["containerFilterPattern"] == nil {
		t.Errorf("s3 filter: %v %v", s3.SourceConfig, err)
	}
}

func TestBadConnectFormNamesItsField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  map[string]string
		field string
	}{
		{"partitions not a number", map[string]string{"partitions": "many"}, "partitions"},
		{"negative partitions", map[string]string{"partitions": "-1"}, "partitions"},
		{"statistics not a boolean", map[string]string{"statistics": "maybe"}, "statistics"},
		{"athena workgroup", map[string]string{"athenaWorkgroup": "primary"}, "athenaWorkgroup"},
		{"staging dir", map[string]string{"s3StagingDir": "s3://x/"}, "s3StagingDir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := inputOf(web.ConnectRequest{Service: "glue", Options: tc.opts})
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), `field "`+tc.field+`"`) {
				t.Errorf("error %v, want Invalid naming field %q", err, tc.field)
			}
		})
	}
}

func TestFormErrorMapsModelFields(t *testing.T) {
	for _, tc := range []struct{ path, field string }{
		{"roleArn", `field "roleArn"`},
		{"sourceConfig.databaseFilterPattern.includes[0]", `field "include"`},
		{"sourceConfig.threads", "sourceConfig.threads"},
	} {
		err := formError(connections.FieldErrors{{Field: tc.path, Message: "bad"}})
		if !strings.Contains(err.Error(), tc.field) || !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", tc.path, err)
		}
	}
	other := errors.New("disk full")
	if formError(other) != other {
		t.Error("formError changed an error that names no field")
	}
}
