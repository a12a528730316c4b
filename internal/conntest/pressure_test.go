package conntest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/conntest"
)

// troubledEndpoint speaks STS (query protocol), Glue and Athena (JSON 1.1)
// for a read-only glue connection test; each operation is answered
// normally unless answers says otherwise.
type troubledEndpoint struct {
	answers map[string]http.HandlerFunc // by operation: AssumeRole, GetDatabases, ...
}

func (f *troubledEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The body is read whole: only then does the server notice a client
	// that gives up, which ends r.Context() for the handlers that hang.
	body, _ := io.ReadAll(r.Body)
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndexByte(op, '.')+1:]
	if op == "" {
		form, _ := url.ParseQuery(string(body))
		op = form.Get("Action")
	}
	if h := f.answers[op]; h != nil {
		h(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch op {
	case "AssumeRole":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAPROBE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:probe</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/Reader/probe</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
			time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	case "GetCallerIdentity":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/Reader/probe</Arn><UserId>AROA:probe</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	case "GetDatabases":
		fmt.Fprint(w, `{"DatabaseList":[{"Name":"sales"}]}`)
	case "GetTables":
		fmt.Fprint(w, `{"TableList":[]}`)
	case "ListWorkGroups":
		fmt.Fprint(w, `{"WorkGroups":[{"Name":"primary","State":"ENABLED"}]}`)
	case "GetWorkGroup":
		fmt.Fprint(w, `{"WorkGroup":{"Name":"primary","State":"ENABLED"}}`)
	case "ListQueryExecutions":
		fmt.Fprint(w, `{"QueryExecutionIds":[]}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"InvalidInputException","Message":"this fake does not serve %s"}`, op)
	}
}

// hang answers nothing until the caller gives up or quit closes (at the
// test's end: a credential fetch goes on after its caller gave up, for up
// to a minute), after telling arrived.
func hang(arrived chan<- struct{}, quit <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default: // told already
		}
		select {
		case <-r.Context().Done():
		case <-quit:
		}
	}
}

// runBounded runs the connection test against answers, failing the test
// rather than hanging it. cancelOn, when set, is told the context to cancel.
func runBounded(t *testing.T, answers map[string]http.HandlerFunc, quit chan struct{}, role string, probeTimeout time.Duration, cancelOn chan struct{}) conntest.Report {
	t.Helper()
	srv := httptest.NewServer(&troubledEndpoint{answers: answers})
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(quit) }) // before srv.Close, which waits for the handlers
	sess, err := awsconn.NewSession(context.Background(), awsconn.Config{
		AccessKeyID: "AKIDBASE", SecretAccessKey: "secret", EndpointURL: srv.URL, AssumeRoleARN: role,
	}, awsconn.Options{ServiceName: "probe", MaxAttempts: 2, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if cancelOn != nil {
		go func() {
			select {
			case <-cancelOn:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	done := make(chan conntest.Report, 1)
	go func() {
		done <- conntest.Run(ctx, conntest.Target{Connection: "probe", Service: "glue", Access: catalog.ReadOnly, Session: sess, ProbeTimeout: probeTimeout})
	}()
	select {
	case rep := <-done:
		return rep
	case <-time.After(30 * time.Second):
		t.Fatal("the connection test hangs")
		return conntest.Report{}
	}
}

func TestConnectionTestUnderTrouble(t *testing.T) {
	const role = "arn:aws:iam::111122223333:role/Reader"
	serverError := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"__type":"InternalServiceException","Message":"catalog backend unavailable"}`)
	}
	for _, tc := range []struct {
		name    string
		answers func(arrived, quit chan struct{}) map[string]http.HandlerFunc
		cancel  bool
		want    map[string]conntest.Status
		// note must appear in the notes or error of the named check.
		noteOf, note string
	}{
		{
			name: "a probe answered 500 is unproven with the reason",
			answers: func(_, _ chan struct{}) map[string]http.HandlerFunc {
				return map[string]http.HandlerFunc{"GetDatabases": serverError}
			},
			want: map[string]conntest.Status{"assume role " + role: conntest.Pass, "GlueCatalogReadAccess": conntest.Unproven,
				"AthenaQueryRead": conntest.Pass, "S3ReadAccess": conntest.Unproven},
			noteOf: "GlueCatalogReadAccess", note: "InternalServiceException",
		},
		{
			name: "a probe that gets no answer is unproven once its deadline passes",
			answers: func(_, quit chan struct{}) map[string]http.HandlerFunc {
				return map[string]http.HandlerFunc{"GetDatabases": hang(nil, quit)}
			},
			want: map[string]conntest.Status{"assume role " + role: conntest.Pass, "GlueCatalogReadAccess": conntest.Unproven,
				"AthenaQueryRead": conntest.Pass, "S3ReadAccess": conntest.Unproven},
			noteOf: "GlueCatalogReadAccess", note: "did not finish within 300ms",
		},
		{
			name: "cancelled during a group: it and the groups after it are not run",
			answers: func(arrived, quit chan struct{}) map[string]http.HandlerFunc {
				return map[string]http.HandlerFunc{"GetDatabases": hang(arrived, quit)}
			},
			cancel: true,
			want: map[string]conntest.Status{"assume role " + role: conntest.Pass, "GlueCatalogReadAccess": conntest.NotRun,
				"AthenaQueryRead": conntest.NotRun, "S3ReadAccess": conntest.NotRun},
			noteOf: "AthenaQueryRead", note: "cancelled",
		},
		{
			name: "cancelled while assuming the role: nothing is denied",
			answers: func(arrived, quit chan struct{}) map[string]http.HandlerFunc {
				return map[string]http.HandlerFunc{"AssumeRole": hang(arrived, quit)}
			},
			cancel: true,
			want: map[string]conntest.Status{"assume role " + role: conntest.NotRun, "GlueCatalogReadAccess": conntest.NotRun,
				"AthenaQueryRead": conntest.NotRun, "S3ReadAccess": conntest.NotRun},
			noteOf: "assume role " + role, note: "cancelled",
		},
		{
			name: "a role an endpoint fails to assume is not reported denied",
			answers: func(_, _ chan struct{}) map[string]http.HandlerFunc {
				return map[string]http.HandlerFunc{"AssumeRole": func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/xml")
					w.WriteHeader(http.StatusInternalServerError)
					fmt.Fprint(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>try later</Message></Error></ErrorResponse>`)
				}}
			},
			want:   map[string]conntest.Status{"assume role " + role: conntest.Fail},
			noteOf: "assume role " + role, note: "InternalFailure",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var arrived chan struct{}
			if tc.cancel {
				arrived = make(chan struct{}, 1)
			}
			quit := make(chan struct{})
			rep := runBounded(t, tc.answers(arrived, quit), quit, role, 300*time.Millisecond, arrived)
			got := statuses(rep)
			for check, want := range tc.want {
				if got[check] != want {
					t.Errorf("%s: %s, want %s\n%s", check, got[check], want, printed(rep))
				}
			}
			for _, r := range rep.Results {
				if len(r.Denied) > 0 {
					t.Errorf("%s reports %v denied, though nothing was refused", r.Check, r.Denied)
				}
			}
			res := result(t, rep, tc.noteOf)
			if text := strings.Join(append(res.Notes, res.Error), "\n"); !strings.Contains(text, tc.note) {
				t.Errorf("%s says %q, want it to mention %q", tc.noteOf, text, tc.note)
			}
			if tc.cancel && !strings.Contains(printed(rep), "not run") {
				t.Errorf("the summary does not count the checks not run:\n%s", printed(rep))
			}
		})
	}
}
