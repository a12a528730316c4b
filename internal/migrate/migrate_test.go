package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/sqlitedb"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Start(m) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// seed makes a SQLite catalog holding a row in every table the copy takes.
func seed(t *testing.T, service string) string {
	t.Helper()
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "lakemap.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.CreateProject(ctx, catalog.Project{ID: "6f1c2a3e-0000-4000-8000-000000000001", Name: "acme", ExternalID: "lakemap-6f1c2a3e-0000-4000-8000-000000000001", Created: now}))
	must(st.ReplaceSetupCode(ctx, catalog.SetupCode{Hash: "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", Created: now, Expires: now.Add(time.Hour)}))
	must(st.CreateUser(ctx, catalog.User{ID: "6f1c2a3e-0000-4000-8000-0000000000aa", Username: "ana", PasswordHash: "$argon2id$x", Admin: true, Created: now}))
	must(st.PutMember(ctx, catalog.Membership{ProjectID: "6f1c2a3e-0000-4000-8000-000000000001", UserID: "6f1c2a3e-0000-4000-8000-0000000000aa", Role: catalog.RoleOwner, Created: now}))
	must(st.CreateSession(ctx, catalog.Session{Hash: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", UserID: "6f1c2a3e-0000-4000-8000-0000000000aa", Created: now, Expires: now.Add(time.Hour), LastSeen: now}))
	must(st.CreateAPIToken(ctx, catalog.APIToken{ID: "6f1c2a3e-0000-4000-8000-0000000000bb", Name: "ci", ProjectID: "6f1c2a3e-0000-4000-8000-000000000001", Scope: catalog.ScopeRead, Hash: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", Created: now}))
	must(st.CreateToken(ctx, catalog.Token{Name: "mcp", Hash: "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", Created: now}))
	must(st.PutConnection(ctx, catalog.Connection{Name: service, ProjectID: "6f1c2a3e-0000-4000-8000-000000000001", SourceType: "glue", Region: "eu-west-1",
		AccessLevel: catalog.AccessLevel("ReadOnly"), Secrets: []byte{0, 1, 2, 0xff}, SecretFields: []string{"token"},
		Schedule: catalog.Schedule{Interval: time.Hour}, Created: now, Updated: now}))
	for round, desc := range []string{"orders placed", "orders placed by customers in Málaga"} {
		sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: service, SourceType: "glue", Started: now})
		must(err)
		batch := []catalog.Entity{
			{FQN: service + ".sales", Kind: catalog.KindDatabase, Service: service, ParentFQN: service, Name: "sales"},
			{FQN: service + ".sales.orders", Kind: catalog.KindTable, Service: service, ParentFQN: service + ".sales", Name: "orders",
				Description: desc, Attrs: map[string]any{"location": "s3://b/orders/"}},
		}
		for i := range 30 {
			batch = append(batch, catalog.Entity{FQN: fmt.Sprintf("%s.sales.orders.c%02d", service, i), Kind: catalog.KindColumn, Service: service,
				ParentFQN: service + ".sales.orders", Name: fmt.Sprintf("c%02d", i)})
		}
		_, err = st.Upsert(ctx, sc.ID, batch)
		must(err)
		must(st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: now.Add(time.Duration(round+1) * time.Minute)}))
	}
	must(st.ReplaceEdges(ctx, 1, catalog.EdgeKind("view"), []string{service + ".sales.v"},
		[]catalog.Edge{{From: service + ".sales.orders", To: service + ".sales.v", Kind: catalog.EdgeKind("view"), Origin: service + ".sales.v", Evidence: "view"}}))
	must(st.ReplaceLocations(ctx, service, []catalog.Location{{FQN: service + ".sales.orders", Kind: catalog.KindTable, Service: service, Bucket: "b", Prefix: "orders/"}}))
	return path
}

func openPG(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(testCtx(t), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestCopyCarriesEveryTable(t *testing.T) {
	ctx := testCtx(t)
	from := seed(t, "glue_prod")
	dst := openPG(t, pgtest.NewDatabase(t))
	rep, err := Copy(ctx, from, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resumed {
		t.Error("first copy reported as resumed")
	}
	for _, tc := range rep.Tables {
		if tc.Source == 0 {
			t.Errorf("table %s: the seed left it empty; the test must cover it", tc.Table)
		}
		if tc.Source != tc.Target || tc.Added != tc.Source {
			t.Errorf("table %s: %+v, want every row copied", tc.Table, tc)
		}
	}

	src, err := sqlite.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, fqn := range []string{"glue_prod.sales.orders", "glue_prod.sales.orders.c07"} {
		want, err := src.Get(ctx, fqn)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.Get(ctx, fqn)
		if err != nil {
			t.Fatalf("copied entity %s: %v", fqn, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("entity %s:\n got %+v\nwant %+v", fqn, got, want)
		}
	}
	wantHist, _ := src.History(ctx, "glue_prod.sales.orders", 10)
	gotHist, err := dst.History(ctx, "glue_prod.sales.orders", 10)
	if err != nil || !reflect.DeepEqual(gotHist, wantHist) {
		t.Errorf("history: %v\n got %+v\nwant %+v", err, gotHist, wantHist)
	}
	// Search works on the copy: the vector is built from the copied row,
	// accent and all.
	res, err := dst.Search(ctx, catalog.SearchQuery{Text: "malaga orders", Limit: 5})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].FQN != "glue_prod.sales.orders" {
		t.Errorf("search on the copy: %v %+v", err, res.Hits)
	}
	conn, err := dst.GetProjectConnection(ctx, "6f1c2a3e-0000-4000-8000-000000000001", "glue_prod")
	if err != nil || !reflect.DeepEqual(conn.Secrets, []byte{0, 1, 2, 0xff}) || conn.Schedule.Interval != time.Hour {
		t.Errorf("connection: %v %+v", err, conn)
	}
	if _, err := dst.SessionByHash(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); err != nil {
		t.Errorf("session: %v", err)
	}
	if tok, err := dst.APITokenByHash(ctx, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"); err != nil || tok.ProjectID != "6f1c2a3e-0000-4000-8000-000000000001" {
		t.Errorf("API token: %v %+v", err, tok)
	}
	if _, err := dst.TokenByHash(ctx, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"); err != nil {
		t.Errorf("MCP token: %v", err)
	}
	// New rows get ids past the copied ones.
	sc, err := dst.BeginScan(ctx, catalog.ScanStart{Service: "glue_prod", SourceType: "glue", Started: time.Now()})
	if err != nil || sc.ID != 3 {
		t.Errorf("scan after the copy: id %d, %v; want 3", sc.ID, err)
	}
}

// A copy cut short (here: cancelled after the scans) is finished by running
// it again; a finished copy run again adds nothing.
func TestCopyResumes(t *testing.T) {
	ctx := testCtx(t)
	from := seed(t, "glue_prod")
	dst := openPG(t, pgtest.NewDatabase(t))
	cut, cancel := context.WithCancel(ctx)
	_, err := Copy(cut, from, dst, Options{Progress: func(table string, _ int64) {
		if table == "scans" {
			cancel()
		}
	}})
	if err == nil || !strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("cut copy: %v, want an error saying to run again", err)
	}
	if n, _ := dst.Count(ctx, "scans"); n != 2 {
		t.Fatalf("scans after the cut: %d, want 2 (copied before the cut)", n)
	}
	rep, err := Copy(ctx, from, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed {
		t.Error("second copy not reported as resumed")
	}
	for _, tc := range rep.Tables {
		if tc.Source != tc.Target {
			t.Errorf("table %s after resuming: %+v", tc.Table, tc)
		}
		if tc.Table == "scans" && tc.Added != 0 {
			t.Errorf("scans copied twice: %+v", tc)
		}
	}
	rep, err = Copy(ctx, from, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range rep.Tables {
		if tc.Added != 0 {
			t.Errorf("third run added rows to %s: %+v", tc.Table, tc)
		}
	}
}

func counts(t *testing.T, s *postgres.Store) map[string]int64 {
	out := map[string]int64{}
	for _, tb := range postgres.ImportTables() {
		n, err := s.Count(testCtx(t), tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		out[tb.Name] = n
	}
	return out
}

// A database holding another catalog is refused, and left as it was.
func TestCopyRefusesAnotherCatalog(t *testing.T) {
	ctx := testCtx(t)
	dst := openPG(t, pgtest.NewDatabase(t))
	if _, err := Copy(ctx, seed(t, "glue_a"), dst, Options{}); err != nil {
		t.Fatal(err)
	}
	before := counts(t, dst)
	_, err := Copy(ctx, seed(t, "glue_b"), dst, Options{})
	if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "another catalog") {
		t.Fatalf("copy of a second catalog: %v, want a conflict naming another catalog", err)
	}
	if after := counts(t, dst); !reflect.DeepEqual(after, before) {
		t.Errorf("refused copy changed the target: %v -> %v", before, after)
	}

	// A catalog made on PostgreSQL directly is not overwritten either.
	own := openPG(t, pgtest.NewDatabase(t))
	if err := own.CreateProject(ctx, catalog.Project{ID: "6f1c2a3e-0000-4000-8000-000000000009", Name: "mine", ExternalID: "lakemap-6f1c2a3e-0000-4000-8000-000000000009", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	_, err = Copy(ctx, seed(t, "glue_c"), own, Options{})
	if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("copy into a used database: %v, want a conflict asking for an empty one", err)
	}
}

func TestCopyRefusesBadSources(t *testing.T) {
	ctx := testCtx(t)
	dst := openPG(t, pgtest.NewDatabase(t))
	setVersion := func(t *testing.T, stmt string) string {
		path := seed(t, "glue_v")
		db, err := sqlitedb.Open(path, sqlitedb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		return path
	}
	notCatalog := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(notCatalog, []byte("not a database at all, just text that is long enough"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "nope.db"), "does not exist"},
		{"not a catalog", notCatalog, "not a lakemap SQLite catalog"},
		{"older schema", setVersion(t, fmt.Sprintf("DELETE FROM schema_migrations WHERE version = %d", SQLiteSchema)), "upgrade it first"},
		{"newer schema", setVersion(t, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, 'x.sql', 1)", SQLiteSchema+1)), "newer than this lakemap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Copy(ctx, tc.from, dst, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	for tb, n := range counts(t, dst) {
		if n != 0 {
			t.Errorf("a refused copy wrote %d rows to %s", n, tb)
		}
	}
}

// SQLiteSchema follows the SQLite store's migrations.
func TestSQLiteSchemaIsCurrent(t *testing.T) {
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "new.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sqlitedb.Open(path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != SQLiteSchema {
		t.Fatalf("the SQLite store is at schema %d, migrate copies %d: add the new columns to postgres.ImportTables and raise SQLiteSchema", v, SQLiteSchema)
	}
}
