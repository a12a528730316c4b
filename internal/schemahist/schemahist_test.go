package schemahist_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/schemahist"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

// tableSource emits one table with the given columns (name -> type) and
// declares its column list complete.
type tableSource map[string]string

func (s tableSource) Scan(ctx context.Context, sink source.Sink) error {
	ents := []catalog.Entity{
		{FQN: "svc", Kind: catalog.KindService, Service: "svc", Name: "svc"},
		{FQN: "svc.db", Kind: catalog.KindDatabase, Service: "svc", ParentFQN: "svc", Name: "db"},
		{FQN: "svc.db.t", Kind: catalog.KindTable, Service: "svc", ParentFQN: "svc.db", Name: "t"},
	}
	for name, typ := range s {
		ents = append(ents, catalog.Entity{FQN: "svc.db.t." + name, Kind: catalog.KindColumn, Service: "svc", ParentFQN: "svc.db.t", Name: name,
			Attrs: map[string]any{"dataType": typ}})
	}
	if err := sink.Emit(ctx, ents...); err != nil {
		return err
	}
	return sink.Complete(ctx, "svc.db.t", catalog.KindColumn)
}

func TestTableHistory(t *testing.T) {
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	store := sqlitetest.Open(t, sqlite.WithClock(func() time.Time { return clock }))
	runner := &scan.Runner{Store: store}
	for _, cols := range []tableSource{
		{"id": "int", "name": "string", "amount": "decimal(10,2)"},
		{"id": "bigint", "amount": "decimal(10,2)", "country": "string"},
		{"id": "bigint", "amount": "decimal(10,2)", "country": "string"}, // unchanged
		{"id": "bigint", "amount": "decimal(12,2)", "country": "string", "name": "varchar(10)"},
	} {
		if _, err := runner.Run(context.Background(), "svc", "glue", cols); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(24 * time.Hour)
	}
	changes, err := schemahist.Table(context.Background(), store, "svc.db.t", time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	schemahist.Print(&out, "svc.db.t", changes)
	want := `schema changes of svc.db.t, newest first:
scan 4 at 2024-01-04T00:00:00Z:
  + name varchar(10)
  ~ amount decimal(10,2) -> decimal(12,2)
scan 2 at 2024-01-02T00:00:00Z:
  + country string
  - name string
  ~ id int -> bigint
scan 1 at 2024-01-01T00:00:00Z:
  + amount decimal(10,2)
  + id int
  + name string
`
	if out.String() != want {
		t.Errorf("history:\n%s\nwant:\n%s", out.String(), want)
	}

	recent, err := schemahist.Table(context.Background(), store, "svc.db.t", time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), 0)
	if err != nil || len(recent) != 1 || recent[0].ScanID != 4 {
		t.Errorf("since Jan 3: %+v, %v", recent, err)
	}
}

func TestCommand(t *testing.T) {
	store := sqlitetest.Open(t)
	if _, err := (&scan.Runner{Store: store}).Run(context.Background(), "svc", "glue", tableSource{"id": "int"}); err != nil {
		t.Fatal(err)
	}
	// Each run opens the catalog file anew, as the CLI does: the command
	// closes what it opened.
	open := func(ctx context.Context) (schemahist.Store, error) {
		s, err := sqlite.Open(ctx, store.Path())
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	run := func(args ...string) (string, error) {
		cmd := schemahist.NewCommand(open)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(args)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		return out.String(), cmd.ExecuteContext(context.Background())
	}
	if _, err := run("svc.db.t", "--json"); err != nil {
		t.Fatal(err)
	}
	cmd := schemahist.NewCommand(open)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"svc.db.t", "--json"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	var res struct {
		FQN     string
		Changes []schemahist.ScanChanges
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.FQN != "svc.db.t" || len(res.Changes) != 1 || res.Changes[0].Added[0].Name != "id" {
		t.Errorf("json = %s (%v)", out.String(), err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"svc.db"}, "svc.db is a database, not a table"},
		{[]string{"svc.db.nope"}, `no entity "svc.db.nope" in the catalog`},
		{[]string{"svc.db.t", "--since", "-1h"}, "--since must not be negative, got -1h0m0s"},
		{[]string{`svc."db`}, "unbalanced double quote"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if _, err := run(tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
