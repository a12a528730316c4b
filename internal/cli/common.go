package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/workflow"
)

// openStore opens the catalog named by --db: a postgres:// URL, or a
// SQLite file.
func (app *App) openStore(ctx context.Context) (catalog.Store, error) {
	if postgres.IsURL(app.DB) {
		return postgres.Open(ctx, app.DB)
	}
	return sqlite.Open(ctx, app.DB)
}

// catalogName names the catalog in messages: a URL without its password.
func (app *App) catalogName() string {
	if !postgres.IsURL(app.DB) {
		return app.DB
	}
	u, err := url.Parse(app.DB)
	if err != nil {
		return "the PostgreSQL catalog"
	}
	return u.Redacted()
}

// catalogExists reports whether the catalog was created already. A
// PostgreSQL database is there to connect to, or it is an error.
func (app *App) catalogExists() bool {
	if postgres.IsURL(app.DB) {
		return true
	}
	_, err := os.Stat(app.DB)
	return err == nil
}

// secretBox returns the key that seals connection secrets: $LAKEMAP_SECRET_KEY,
// else a key file beside a SQLite catalog. A PostgreSQL catalog has no
// "beside": every replica must seal with the same key, so it comes from the
// environment.
func (app *App) secretBox() (*secrets.Box, error) {
	if postgres.IsURL(app.DB) && os.Getenv(secrets.EnvKey) == "" {
		return nil, apperr.New(apperr.Invalid, "a PostgreSQL catalog needs its secret key in %s, the same on every server: create one with `openssl rand -base64 32` and keep it safe", secrets.EnvKey)
	}
	return secrets.Load(keyFileFor(app.DB))
}

func keyFileFor(db string) string {
	return strings.TrimSuffix(db, filepath.Ext(db)) + ".key"
}

func (app *App) loadWorkflow(path string) (*workflow.Workflow, error) {
	return workflow.Load(path, app.Registry)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
