package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Ctrl-C during a scan: the scan is recorded interrupted (not failed), the
// command exits 130 and says what was kept, and nothing blames the
// credentials the cancelled AssumeRole was fetching.
func TestIngestInterruptedIsRecordedInterrupted(t *testing.T) {
	// An endpoint that accepts and never answers: the scan waits in its
	// first call, as it would on a slow account, until it is interrupted.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	wf := writeFile(t, "wf.yaml", workflowFor("glue", "Glue", "DatabaseMetadata", "http://"+ln.Addr().String(), "test", "test",
		"        assumeRoleArn: arn:aws:iam::111122223333:role/GlueAccessRoleForLakemap\n"))
	db := filepath.Join(t.TempDir(), "lakemap.db")

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Second, cancel)
	var out, errb bytes.Buffer
	code := Main(ctx, []string{"--db", db, "ingest", "-q", "-c", wf}, strings.NewReader(""), &out, &errb)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, ExitInterrupted, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "interrupted: what it wrote is kept") || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("stdout %q, stderr %q; want the scan said interrupted", out.String(), errb.String())
	}
	if all := out.String() + errb.String(); strings.Contains(all, "no AWS credentials") {
		t.Errorf("an interrupted AssumeRole blamed on the credentials:\n%s", all)
	}

	code, list, errOut := run(t, "--db", db, "scans", "--json")
	var scans []catalog.Scan
	if err := json.Unmarshal([]byte(list), &scans); code != 0 || err != nil || len(scans) != 1 {
		t.Fatalf("scans: exit %d, %v\n%s%s", code, err, list, errOut)
	}
	if scans[0].Status != "interrupted" || scans[0].Finished == nil {
		t.Errorf("scan recorded %s, finished %v; want interrupted with an end", scans[0].Status, scans[0].Finished)
	}
}
