package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Writes that act on one kind of thing (a DataZone asset, a data source, a
// Glue ruleset, column statistics) are one tool each, the action an
// argument: tools/list is paid by every agent before its first question,
// and eight near-identical DataZone write tools cost more of it than all
// the catalog tools. Each action keeps its own body and argument type; the
// dispatcher refuses an argument the chosen action does not take, so
// nothing is silently ignored.

// Act is the action argument of a write tool with several actions.
type Act struct {
	Action string `json:"action"`
}

func (a Act) actionName() string { return strings.ToLower(strings.TrimSpace(a.Action)) }

// actionArg is implemented by the inputs of such tools (through Act).
type actionArg interface {
	connArg
	actionName() string
}

// action is one body of a tool with several.
type action[Out any] struct {
	name   string
	fields map[string]bool // the JSON arguments this body takes
	run    func(ctx context.Context, c *liveConn, raw []byte) (Out, string, error)
}

// act makes h, a body with its own argument type, one action of a tool.
func act[In, Out any](name string, h liveHandler[In, Out]) action[Out] {
	return action[Out]{name: name, fields: jsonFields(reflect.TypeFor[In]()), run: func(ctx context.Context, c *liveConn, raw []byte) (Out, string, error) {
		var in In
		if err := json.Unmarshal(raw, &in); err != nil {
			var zero Out
			return zero, "", apperr.Wrap(apperr.Invalid, err, "arguments of action %s", name)
		}
		return h(ctx, c, in)
	}}
}

// byAction is the body of tool: it runs the action its input names.
func byAction[In actionArg, Out any](tool string, actions ...action[Out]) liveHandler[In, Out] {
	return func(ctx context.Context, c *liveConn, in In) (Out, string, error) {
		var zero Out
		names := make([]string, len(actions))
		for i, a := range actions {
			names[i] = a.name
		}
		i := slices.IndexFunc(actions, func(a action[Out]) bool { return a.name == in.actionName() })
		if i < 0 {
			return zero, "", apperr.New(apperr.Invalid, "action %q: %s does one of %s; nothing was sent to AWS", in.actionName(), tool, strings.Join(names, ", "))
		}
		a := actions[i]
		raw, err := json.Marshal(in)
		if err != nil {
			return zero, "", fmt.Errorf("re-reading the arguments of %s: %w", tool, err)
		}
		var given map[string]json.RawMessage
		if err := json.Unmarshal(raw, &given); err != nil {
			return zero, "", fmt.Errorf("re-reading the arguments of %s: %w", tool, err)
		}
		for _, k := range sortedKeys(given) {
			if k != "action" && !a.fields[k] {
				return zero, "", apperr.New(apperr.Invalid, "%s with action %s does not take %s (it takes %s); nothing was sent to AWS",
					tool, a.name, k, strings.Join(sortedKeys(a.fields), ", "))
			}
		}
		return a.run(ctx, c, raw)
	}
}

// jsonFields names the JSON fields of a struct type, embedded ones included.
func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k := range jsonFields(f.Type) {
				out[k] = true
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// DZAssetWriteInput is datazone_write_asset's arguments: those of the
// chosen action (datazone_write.go).
type DZAssetWriteInput struct {
	Conn
	Act
	Asset              string    `json:"asset,omitempty" jsonschema:"the asset's catalog FQN, or its id with domain (every action but create)"`
	Domain             string    `json:"domain,omitempty" jsonschema:"domain name, id or FQN (create; or with an asset id)"`
	Project            string    `json:"project,omitempty" jsonschema:"owning project (create)"`
	Name               string    `json:"name,omitempty" jsonschema:"name (create), new name (update)"`
	TypeIdentifier     string    `json:"typeIdentifier,omitempty" jsonschema:"asset type (create), e.g. amazon.datazone.GlueTableAssetType"`
	Description        *string   `json:"description,omitempty"`
	ExternalIdentifier string    `json:"externalIdentifier,omitempty" jsonschema:"technical identifier (create), e.g. the Glue table ARN"`
	GlossaryTerms      *[]string `json:"glossaryTerms,omitempty" jsonschema:"glossary term ids"`
	Forms              []DZForm  `json:"forms,omitempty"`
	Revision           string    `json:"revision,omitempty" jsonschema:"asset revision to publish; default the latest"`
	ClientToken        string    `json:"clientToken,omitempty" jsonschema:"repeat it when retrying so DataZone acts once (create, update, publish)"`
	Confirm            string    `json:"confirm,omitempty" jsonschema:"the asset's name, repeated (delete, unpublish)"`
}

// DZSourceWriteInput is datazone_write_data_source's arguments.
type DZSourceWriteInput struct {
	Conn
	Act
	DataSource      string   `json:"dataSource,omitempty" jsonschema:"the data source's catalog FQN, or its id with domain (update, delete)"`
	Domain          string   `json:"domain,omitempty"`
	Project         string   `json:"project,omitempty" jsonschema:"project (create)"`
	Name            string   `json:"name,omitempty"`
	Environment     string   `json:"environment,omitempty" jsonschema:"id of the project's environment (create)"`
	Databases       []string `json:"databases,omitempty" jsonschema:"Glue databases to import"`
	Description     *string  `json:"description,omitempty"`
	Schedule        string   `json:"schedule,omitempty" jsonschema:"cron expression, e.g. cron(0 3 * * ? *)"`
	PublishOnImport bool     `json:"publishOnImport,omitempty" jsonschema:"publish imported assets at once (create)"`
	ClientToken     string   `json:"clientToken,omitempty" jsonschema:"repeat it when retrying so DataZone creates one (create)"`
	Confirm         string   `json:"confirm,omitempty" jsonschema:"the data source's name, repeated (delete)"`
}

// RulesetWriteInput is glue_write_data_quality_ruleset's arguments.
type RulesetWriteInput struct {
	Conn
	Act
	Name        string `json:"name" jsonschema:"ruleset name"`
	Ruleset     string `json:"ruleset,omitempty" jsonschema:"the rules in DQDL (create; update replaces them whole)"`
	Database    string `json:"database,omitempty" jsonschema:"Glue database of the target table (create)"`
	Table       string `json:"table,omitempty" jsonschema:"Glue target table (create)"`
	Description string `json:"description,omitempty"`
}

// StatsWriteInput is glue_write_column_statistics' arguments.
type StatsWriteInput struct {
	GlueTableRef
	Act
	Statistics []ColumnStats `json:"statistics,omitempty" jsonschema:"update: one entry per column (at most 25)"`
	Column     string        `json:"column,omitempty" jsonschema:"delete: the column whose statistics to delete"`
}
