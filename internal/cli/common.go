package cli

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/workflow"
)

// openStore opens the catalog named by --db.
func (app *App) openStore(ctx context.Context) (catalog.Store, error) {
	return sqlite.Open(ctx, app.DB)
}

// secretBox returns the key that seals connection secrets: $LAKEMAP_SECRET_KEY,
// else a key file beside the catalog.
func (app *App) secretBox() (*secrets.Box, error) {
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
