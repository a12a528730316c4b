package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// Issue 15, finding 5: a connection remembered with credentials in its
// endpoint URL (before workflows refused them) is listed without them.
func TestConnectionListRedactsEndpointCredentials(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for name, endpoint := range map[string]string{
		"old":   "http://admin:hunter2-canary@proxy.internal:4566",
		"plain": "http://proxy.internal:4566",
		"bad":   "http://admin:hunter2-canary@[::1:4566",
	} {
		if err := st.PutConnection(context.Background(), catalog.Connection{Name: name, SourceType: "glue", Region: "us-east-1",
			AccessLevel: catalog.ReadOnly, EndpointURL: endpoint, Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	for _, args := range [][]string{{"connection", "list", "--json"}, {"connection", "list"}} {
		code, out, errOut := run(t, append([]string{"--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if strings.Contains(out+errOut, "hunter2-canary") || strings.Contains(out, "admin") {
			t.Errorf("%v shows the endpoint's credentials:\n%s", args, out)
		}
		if args[len(args)-1] == "--json" && (!strings.Contains(out, "http://REDACTED@proxy.internal:4566") || !strings.Contains(out, `"http://proxy.internal:4566"`)) {
			t.Errorf("%v: endpoints not shown redacted:\n%s", args, out)
		}
	}
}
