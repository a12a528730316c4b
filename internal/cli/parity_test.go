package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// parityDB is a catalog with project acme and its glue connection lake.
func parityDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "c.db")
	if code, _, errOut := run(t, "--db", db, "project", "create", "acme"); code != 0 {
		t.Fatalf("project create: %s", errOut)
	}
	if code, _, errOut := run(t, "--db", db, "project", "create", "beta"); code != 0 {
		t.Fatalf("project create: %s", errOut)
	}
	if code, _, errOut := run(t, "--db", db, "connection", "create", "lake", "--project", "acme", "--source", "glue",
		"--role-arn", "arn:aws:iam::210987654321:role/LakemapAccess", "--scan-options", `{"includeAthena":false}`); code != 0 {
		t.Fatalf("connection create: %s", errOut)
	}
	return db
}

func readConn(t *testing.T, db, name string) catalog.Connection {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.GetConnection(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// connection create/edit/delete go through the connections service: the
// API's rules, field names in errors, secrets never printed, and a refused
// change leaves the stored connection as it was.
func TestConnectionCreateEditDelete(t *testing.T) {
	db := parityDB(t)
	const secret = "parity-secret-never-printed"
	var out, errOut string
	var code int
	{
		var o, e strings.Builder
		code = Main(context.Background(), []string{"--db", db, "connection", "create", "vault", "--project", "beta", "--source", "s3",
			"--role-arn", "arn:aws:iam::210987654321:role/LakemapAccess", "--region", "eu-west-1", "--connection-options", `{"bucketNames":["raw"]}`,
			"--credentials", "static", "--access-key-id", "AKIAPARITY0000000000", "--secret-access-key-stdin", "--schedule-cron", "0 3 * * *", "--json"},
			strings.NewReader(secret+"\n"), &o, &e)
		out, errOut = o.String(), e.String()
	}
	var v connections.View
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.Credentials.SecretAccessKey != connections.Set || v.Schedule == nil || v.Schedule.Cron != "0 3 * * *" {
		t.Fatalf("create static: exit %d %v %s\n%s", code, err, errOut, out)
	}
	if strings.Contains(out+errOut, secret) {
		t.Fatalf("create printed the secret")
	}

	code, out, errOut = run(t, "--db", db, "connection", "edit", "vault", "--region", "us-west-2", "--no-schedule", "--json")
	v = connections.View{}
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.Region != "us-west-2" || v.Schedule != nil || v.Credentials.SecretAccessKey != connections.Set {
		t.Fatalf("edit: exit %d %v %s\n%s", code, err, errOut, out)
	}

	before := readConn(t, db, "lake")
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"bad role ARN", []string{"connection", "edit", "lake", "--role-arn", "arn:aws:iam::1:user/x"}, 2, "roleArn"},
		{"bad region", []string{"connection", "edit", "lake", "--region", "mars-1"}, 2, "region"},
		{"bad access", []string{"connection", "edit", "lake", "--access", "Admin"}, 2, "accessLevel"},
		{"scan options not JSON", []string{"connection", "edit", "lake", "--scan-options", "{nope"}, 2, "--scan-options: give a JSON object"},
		{"unknown scan option", []string{"connection", "edit", "lake", "--scan-options", `{"includeAthenaa":true}`}, 2, "sourceConfig.includeAthenaa"},
		{"interval too short", []string{"connection", "edit", "lake", "--schedule-interval", "10s"}, 2, "schedule"},
		{"bad cron", []string{"connection", "edit", "lake", "--schedule-cron", "every day"}, 2, "schedule.cron"},
		{"schedule and no schedule", []string{"connection", "edit", "lake", "--no-schedule", "--schedule-interval", "1h"}, 2, "give one"},
		{"nothing to change", []string{"connection", "edit", "lake"}, 2, "nothing to change"},
		{"unknown connection", []string{"connection", "edit", "nope", "--region", "us-east-1"}, 3, `no connection "nope"`},
		{"duplicate name", []string{"connection", "create", "lake", "--project", "beta", "--source", "glue", "--role-arn", "arn:aws:iam::210987654321:role/X"}, 6, "already exists"},
		{"unknown project", []string{"connection", "create", "x", "--project", "gamma", "--source", "glue"}, 3, `no project "gamma"`},
		{"no project", []string{"connection", "create", "x", "--source", "glue"}, 2, `"project" not set`},
		{"unknown source", []string{"connection", "create", "x", "--project", "acme", "--source", "oracle", "--role-arn", "arn:aws:iam::210987654321:role/X"}, 2, "oracle"},
		{"external id chosen", []string{"connection", "create", "x", "--project", "acme", "--source", "glue", "--role-arn", "arn:aws:iam::210987654321:role/X", "--connection-options", `{"awsConfig":{}}`}, 2, "connectionConfig.awsConfig"},
		{"static without secret", []string{"connection", "create", "x", "--project", "acme", "--source", "glue", "--role-arn", "arn:aws:iam::210987654321:role/X", "--credentials", "static", "--access-key-id", "AKIAPARITY0000000000"}, 2, "credentials.secretAccessKey"},
		{"empty stdin secret", []string{"connection", "edit", "lake", "--secret-access-key-stdin"}, 2, "standard input is empty"},
		{"delete unknown", []string{"connection", "delete", "nope"}, 3, `no connection "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"--db", db}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d, want %d; stderr %q wants %q; stdout %q", code, tc.wantCode, errOut, tc.wantErr, out)
			}
		})
	}
	if after := readConn(t, db, "lake"); after.Updated != before.Updated || after.Region != before.Region || after.RoleARN != before.RoleARN {
		t.Errorf("a refused edit changed the connection: %+v -> %+v", before, after)
	}

	if code, out, errOut := run(t, "--db", db, "connection", "delete", "vault", "--json"); code != 0 || !strings.Contains(out, `"deleted": "vault"`) {
		t.Fatalf("delete: exit %d %s %s", code, out, errOut)
	}
	if code, _, _ := run(t, "--db", db, "connection", "show", "vault"); code != 3 {
		t.Errorf("show after delete: exit %d, want 3", code)
	}
}

// token create/list/revoke make project API tokens; the secret is printed
// once and never listed; bad input is refused and creates nothing.
func TestTokenCommands(t *testing.T) {
	db := parityDB(t)
	code, out, errOut := run(t, "--db", db, "token", "create", "ci", "--project", "acme", "--scope", "readwrite", "--connection", "lake", "--json")
	var created tokenCreated
	if err := json.Unmarshal([]byte(out), &created); code != 0 || err != nil || !strings.HasPrefix(created.Secret, "lkm_") ||
		created.Token.Scope != catalog.ScopeReadWrite || created.Token.Connections[0] != "lake" || created.Config["mcpServers"] == nil {
		t.Fatalf("create: exit %d %v %s\n%s", code, err, errOut, out)
	}
	if code, out, _ := run(t, "--db", db, "token", "create", "ci", "--project", "beta"); code != 0 || !strings.HasPrefix(out, "lkm_") {
		t.Fatalf("same name in another project: exit %d %s", code, out)
	}
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no project", []string{"token", "create", "x"}, 2, `"project" not set`},
		{"unknown project", []string{"token", "create", "x", "--project", "gamma"}, 3, `no project "gamma"`},
		{"bad scope", []string{"token", "create", "x", "--project", "acme", "--scope", "admin"}, 2, "use read or readwrite"},
		{"bad name", []string{"token", "create", "bad name", "--project", "acme"}, 2, "token name"},
		{"another project's connection", []string{"token", "create", "x", "--project", "beta", "--connection", "lake"}, 2, `project beta has no connection "lake"`},
		{"duplicate live name", []string{"token", "create", "ci", "--project", "acme"}, 6, "ci"},
		{"ambiguous revoke", []string{"token", "revoke", "ci"}, 6, "2 live tokens"},
		{"revoke unknown", []string{"token", "revoke", "nobody"}, 3, `no live token named "nobody"`},
		{"revoke unknown in project", []string{"token", "revoke", "nobody", "--project", "acme"}, 3, "project acme has no live token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"--db", db}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d, want %d; stderr %q wants %q; stdout %q", code, tc.wantCode, errOut, tc.wantErr, out)
			}
		})
	}
	code, out, _ = run(t, "--db", db, "token", "list", "--json")
	var listed tokenListing
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed.Tokens) != 2 || strings.Contains(out, created.Secret) {
		t.Fatalf("list after refusals: exit %d %v\n%s", code, err, out)
	}
	code, out, errOut = run(t, "--db", db, "token", "revoke", "ci", "--project", "acme", "--json")
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed.Tokens) != 1 || listed.Tokens[0].Revoked == nil {
		t.Fatalf("revoke --json: exit %d %v %s\n%s", code, err, errOut, out)
	}
	code, out, _ = run(t, "--db", db, "token", "list", "--project", "acme", "--json")
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed.Tokens) != 1 || listed.Tokens[0].Revoked == nil {
		t.Fatalf("list acme: exit %d %v\n%s", code, err, out)
	}
	// The one live "ci" left is beta's: revoking by name is no longer ambiguous.
	if code, _, errOut := run(t, "--db", db, "token", "revoke", "ci"); code != 0 {
		t.Fatalf("revoke beta's: exit %d %s", code, errOut)
	}
}

// token migrate turns a legacy MCP token into a project token with the same
// hash, and leaves one spanning projects alone.
func TestTokenMigrate(t *testing.T) {
	db := parityDB(t)
	if code, _, errOut := run(t, "--db", db, "connection", "create", "vault", "--project", "beta", "--source", "glue",
		"--role-arn", "arn:aws:iam::210987654321:role/LakemapAccess"); code != 0 {
		t.Fatal(errOut)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	one := catalog.Token{Name: "laptop", Hash: strings.Repeat("a", 64), Connections: []string{"lake"}, ReadOnly: true, Created: now}
	all := catalog.Token{Name: "everything", Hash: strings.Repeat("b", 64), Created: now}
	for _, tok := range []catalog.Token{one, all} {
		if err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	code, out, errOut := run(t, "--db", db, "token", "migrate", "--json")
	var got []migrated
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got) != 2 {
		t.Fatalf("migrate: exit %d %v %s\n%s", code, err, errOut, out)
	}
	byName := map[string]migrated{}
	for _, m := range got {
		byName[m.Name] = m
	}
	if m := byName["laptop"]; m.Token == nil || m.Token.Scope != catalog.ScopeRead || !m.Token.ReadOnly {
		t.Errorf("laptop: %+v", m)
	}
	if m := byName["everything"]; m.Token != nil || !strings.Contains(m.Skipped, "2 projects") {
		t.Errorf("everything: %+v", m)
	}
	st, err = sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at, err := st.APITokenByHash(ctx, one.Hash)
	if err != nil || at.Name != "laptop" || at.Revoked != nil {
		t.Errorf("project token by the old hash: %+v %v", at, err)
	}
	if old, err := st.TokenByHash(ctx, one.Hash); err != nil || old.Revoked == nil {
		t.Errorf("legacy token not revoked: %+v %v", old, err)
	}
	if old, err := st.TokenByHash(ctx, all.Hash); err != nil || old.Revoked != nil {
		t.Errorf("unmigrated legacy token touched: %+v %v", old, err)
	}
}

// scan start queues into the queue lakemap serve works; with --wait it
// follows the scan to its end. A scheduler on the same queue (as the
// server's) runs it here.
func TestScanCommands(t *testing.T) {
	db := parityDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// No server yet: the scan is queued, a second start is refused, and
	// the queued job can be cancelled.
	code, out, errOut := run(t, "--db", db, "scan", "start", "lake", "--json")
	var started scanStarted
	if err := json.Unmarshal([]byte(out), &started); code != 0 || err != nil || started.Job.ID == 0 || started.Job.State != "available" {
		t.Fatalf("start: exit %d %v %s\n%s", code, err, errOut, out)
	}
	var queued []queuedScan
	code, out, _ = run(t, "--db", db, "scan", "list", "--queue", "--json")
	if err := json.Unmarshal([]byte(out), &queued); code != 0 || err != nil || len(queued) != 1 || queued[0].Connection != "lake" || queued[0].ID != started.Job.ID {
		t.Errorf("list --queue: exit %d %v\n%s", code, err, out)
	}
	if code, _, errOut := run(t, "--db", db, "scan", "start", "lake"); code != 6 || !strings.Contains(errOut, "already has a scan") {
		t.Errorf("second start: exit %d %s", code, errOut)
	}
	code, _, errOut = run(t, "--db", db, "scan", "start", "lake", "--wait", "--timeout", "300ms")
	if code != 6 {
		t.Errorf("start --wait while queued: exit %d %s", code, errOut)
	}
	if code, out, errOut := run(t, "--db", db, "scan", "cancel", "--job", jsonID(started.Job.ID), "--json"); code != 0 || !strings.Contains(out, `"state": "cancelled"`) {
		t.Fatalf("cancel --job: exit %d %s %s", code, out, errOut)
	}

	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown connection", []string{"scan", "start", "nope"}, 3, `no connection "nope"`},
		{"no connection", []string{"scan", "start"}, 2, "accepts 1 arg"},
		{"negative timeout", []string{"scan", "start", "lake", "--wait", "--timeout", "-1s"}, 2, "negative"},
		{"cancel not a number", []string{"scan", "cancel", "abc"}, 2, "not a scan id"},
		{"cancel not running", []string{"scan", "cancel", "42"}, 3, "scan 42 is not running"},
		{"cancel unknown job", []string{"scan", "cancel", "--job", "4242"}, 3, "no scan job 4242"},
		{"show unknown", []string{"scan", "show", "42"}, 3, "42"},
		{"show not a number", []string{"scan", "show", "-"}, 2, "not a scan id"},
		{"no catalog", []string{"--db", filepath.Join(t.TempDir(), "none.db"), "scan", "start", "lake"}, 3, "no catalog at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"--db", db}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d, want %d; stderr %q wants %q; stdout %q", code, tc.wantCode, errOut, tc.wantErr, out)
			}
		})
	}

	// A server's scheduler on the same queue runs what the CLI queues.
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := jobs.OpenSQLite(ctx, jobs.QueuePath(db))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	scanFn := func(ctx context.Context, j jobs.ScanJob) (int64, error) {
		sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: j.Target.Connection, SourceType: "glue", Started: time.Now()})
		if err != nil {
			return 0, err
		}
		j.Started(sc.ID)
		return sc.ID, st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()})
	}
	sched, err := jobs.New(b, jobs.Config{Scan: scanFn, Records: st, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sched.Stop(ctx) }()

	code, out, errOut = run(t, "--db", db, "scan", "start", "lake", "--wait", "--timeout", "30s", "--json")
	if err := json.Unmarshal([]byte(out), &started); code != 0 || err != nil || started.Scan == nil || started.Scan.Status != catalog.ScanSucceeded {
		t.Fatalf("start --wait: exit %d %v %s\n%s", code, err, errOut, out)
	}
	id := jsonID(started.Scan.ID)
	if code, out, _ := run(t, "--db", db, "scan", "show", id); code != 0 || !strings.Contains(out, "succeeded") {
		t.Errorf("show: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"scan", "list", "--json"}, {"scans", "--json"}} {
		var list []catalog.Scan
		code, out, _ := run(t, append([]string{"--db", db}, args...)...)
		if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Service != "lake" {
			t.Errorf("%v: exit %d %v\n%s", args, code, err, out)
		}
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }

// Every command that prints something a script reads has --json. The
// exceptions print another machine format, run until stopped, or only
// confirm a change whose exit status is the answer.
func TestEveryCommandHasJSON(t *testing.T) {
	exempt := map[string]string{
		"lakemap connection export": "prints a workflow YAML",
		"lakemap mcp":               "serves MCP over stdio",
		"lakemap serve":             "runs until stopped",
		"lakemap onboard":           "--format picks the machine format (policy JSON, CloudFormation...)",
		"lakemap validate":          "prints file:line:col findings",
		"lakemap version":           "one line",
		"lakemap user passwd":       "confirms a change",
		"lakemap user disable":      "confirms a change",
		"lakemap user enable":       "confirms a change",
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && !c.HasSubCommands() && c.Flags().Lookup("json") == nil {
			if _, ok := exempt[c.CommandPath()]; !ok {
				t.Errorf("%s has no --json", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCommand(&App{}))
}
