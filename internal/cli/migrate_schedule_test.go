package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// TestMigratedScheduleRunsOnPostgres: a SQLite catalog with a connection
// scheduled every minute is migrated, then served on PostgreSQL: the
// schedule, which belongs to the connection and not to the queue, runs
// there, in River's queue in the catalog's database, and scans.
func TestMigratedScheduleRunsOnPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv := moto.Start(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	moto.GlueDatabase(t, cust.AWS, gluetypes.DatabaseInput{Name: aws.String("sales")}, gluetypes.TableInput{Name: aws.String("orders")})

	dir := t.TempDir()
	from := filepath.Join(dir, "lakemap.db")
	if code, _, errOut := run(t, "--db", from, "project", "create", "acme"); code != 0 {
		t.Fatalf("project create: exit %d: %s", code, errOut)
	}
	var out, errb strings.Builder
	if code := Main(ctx, []string{"--db", from, "connection", "create", "lake", "--project", "acme", "--source", "glue",
		"--role-arn", cust.RoleARN, "--endpoint-url", srv.URL(), "--credentials", "static", "--access-key-id", "test",
		"--secret-access-key-stdin", "--scan-options", `{"includeAthena":false}`, "--schedule-cron", "* * * * *"},
		strings.NewReader("test\n"), &out, &errb); code != 0 {
		t.Fatalf("connection create: exit %d: %s", code, errb.String())
	}
	to := pgtest.NewDatabase(t)
	if code, out, errOut := run(t, "migrate", "--from", from, "--to", to); code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, errOut)
	}
	key, err := os.ReadFile(filepath.Join(dir, "lakemap.key"))
	if err != nil {
		t.Fatalf("the SQLite catalog's key: %v", err)
	}
	t.Setenv(secrets.EnvKey, string(key)) // as the README says
	started := time.Now()
	r := startReplica(t, ctx, to)

	st, err := postgres.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := pgx.Connect(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	for {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'trigger' = 'schedule'
			AND args->>'connection' = 'lake' AND state = 'completed'`, jobs.ScanKind).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no scheduled scan ran on PostgreSQL\n%s", r.output())
		case <-time.After(200 * time.Millisecond):
		}
	}
	scans, err := st.ListScans(ctx, "lake", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(scans) != 1 || scans[0].Status != catalog.ScanSucceeded || scans[0].Stats[catalog.KindTable] == nil {
		t.Fatalf("scans of lake on PostgreSQL: %+v\n%s", scans, r.output())
	}
	if _, err := st.Get(ctx, "lake.sales.orders"); err != nil {
		t.Errorf("the scheduled scan's table: %v", err)
	}
	t.Logf("the first scheduled scan ended %v after the start", time.Since(started).Round(time.Second))
}
