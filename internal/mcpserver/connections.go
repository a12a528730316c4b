package mcpserver

import (
	"github.com/lakemap/lakemap/internal/textdist"

	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
)

// liveConn is a connection a live tool may use, with its AWS session.
type liveConn struct {
	name string
	conn catalog.Connection
	sess *awsconn.Session
	s    *session
}

// The session builds and keeps the clients (awsconn), so repeated tool
// calls on a connection reuse them.
func (c *liveConn) s3(region string) *s3.Client { return c.sess.S3(region) }

func (c *liveConn) athena() *athena.Client { return c.sess.Athena() }

func (c *liveConn) glue() *glue.Client { return c.sess.Glue() }

// connect resolves the connection a live tool names and checks that this
// session may use it for this tool. Every refusal happens here, before any
// AWS call.
func (s *session) connect(ctx context.Context, tool, name string, class toolClass, families []string) (*liveConn, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, s.unknownConnection(ctx, tool, name, families)
	}
	if !s.scope.allows(name) {
		return nil, s.unknownConnection(ctx, tool, name, families)
	}
	conn, err := s.srv.opts.Store.GetConnection(ctx, name)
	if apperr.Is(err, apperr.NotFound) {
		return nil, s.unknownConnection(ctx, tool, name, families)
	}
	if err != nil {
		return nil, fmt.Errorf("reading connection %q: %w", name, err)
	}
	if fam := s.srv.familyOf(conn.SourceType); !slices.Contains(families, fam) {
		return nil, apperr.New(apperr.Invalid, "connection %q is a %s connection; %s needs a %s connection",
			name, conn.SourceType, tool, strings.Join(families, " or "))
	}
	if class == liveWrite {
		if s.scope.ReadOnly {
			return nil, &apperr.Error{Kind: apperr.AccessDenied,
				Msg:    fmt.Sprintf("%s changes AWS and this session is read-only; nothing was sent to AWS", tool),
				Advice: []string{"ask for a token created without --read-only to use write tools"}}
		}
		if conn.AccessLevel != catalog.ReadWrite {
			return nil, &apperr.Error{Kind: apperr.AccessDenied,
				Msg: fmt.Sprintf("connection %q is %s: %s changes AWS and runs only on ReadWrite connections; nothing was sent to AWS",
					name, orDefault(string(conn.AccessLevel), string(catalog.ReadOnly)), tool),
				Advice: []string{"to allow writes, set accessLevel: ReadWrite in the workflow's serviceConnection.config, attach the ReadWrite IAM policy to the role (lakemap onboard prints it) and run lakemap ingest again"}}
		}
	}
	sess, err := s.srv.sessions.get(ctx, conn)
	if err != nil {
		return nil, err
	}
	return &liveConn{name: name, conn: conn, sess: sess, s: s}, nil
}

func (s *session) unknownConnection(ctx context.Context, tool, name string, families []string) error {
	conns, err := s.srv.reachable(ctx, s.scope)
	if err != nil {
		return err
	}
	var usable []string
	for _, c := range conns {
		if slices.Contains(families, s.srv.familyOf(c.SourceType)) {
			usable = append(usable, c.Name)
		}
	}
	if name == "" {
		return apperr.New(apperr.Invalid, "%s needs a connection; this session can use: %s", tool, listOrNone(usable))
	}
	if best, ok := textdist.Nearest(name, usable); ok {
		return apperr.New(apperr.NotFound, "unknown connection %q; did you mean %q?", name, best)
	}
	return apperr.New(apperr.NotFound, "unknown connection %q; for %s this session can use: %s", name, tool, listOrNone(usable))
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none (run lakemap ingest on a workflow of the right type first)"
	}
	const show = 20
	if len(names) > show {
		return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more (see list_connections)", len(names)-show)
	}
	return strings.Join(names, ", ")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sessionCache keeps one AWS session per connection, so assumed-role
// credentials are reused across calls; a connection rewritten by a later
// ingest gets a fresh session.
type sessionCache struct {
	box    *secrets.Box
	opts   awsconn.Options
	logger *slog.Logger

	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	updated time.Time
	sess    *awsconn.Session
}

func newSessionCache(box *secrets.Box, opts awsconn.Options, logger *slog.Logger) *sessionCache {
	return &sessionCache{box: box, opts: opts, logger: logger, m: map[string]cachedSession{}}
}

func (c *sessionCache) get(ctx context.Context, conn catalog.Connection) (*awsconn.Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[conn.Name]; ok && e.updated.Equal(conn.Updated) {
		return e.sess, nil
	}
	cfg, err := awsConfigOf(conn, c.box)
	if err != nil {
		return nil, err
	}
	opts := c.opts
	opts.ServiceName = conn.Name
	opts.Logger = c.logger.With("connection", conn.Name)
	sess, err := awsconn.NewSession(ctx, cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("building AWS session for connection %q: %w", conn.Name, err)
	}
	c.m[conn.Name] = cachedSession{updated: conn.Updated, sess: sess}
	return sess, nil
}

// awsConfigOf rebuilds a connection's awsConfig from what ingest stored: the
// config JSON without secrets (the whole serviceConnection config, or the
// awsConfig object alone), the sealed secrets, and the connection's columns
// for anything the JSON lacks.
func awsConfigOf(conn catalog.Connection, box *secrets.Box) (awsconn.Config, error) {
	var cfg awsconn.Config
	if len(conn.Config) > 0 {
		var holder struct {
			AWSConfig *awsconn.Config `json:"awsConfig"`
		}
		if err := json.Unmarshal(conn.Config, &holder); err != nil {
			return cfg, apperr.Wrap(apperr.Internal, err, "stored config of connection %q is not valid JSON", conn.Name)
		}
		if holder.AWSConfig != nil {
			cfg = *holder.AWSConfig
		} else if err := json.Unmarshal(conn.Config, &cfg); err != nil {
			return cfg, apperr.Wrap(apperr.Internal, err, "stored config of connection %q is not an awsConfig", conn.Name)
		}
	}
	cfg.AssumeRoleARN = orDefault(cfg.AssumeRoleARN, conn.RoleARN)
	cfg.AssumeRoleExternalID = orDefault(cfg.AssumeRoleExternalID, conn.ExternalID)
	cfg.Region = orDefault(cfg.Region, conn.Region)
	cfg.EndpointURL = orDefault(cfg.EndpointURL, conn.EndpointURL)
	if len(conn.Secrets) == 0 {
		return cfg, nil
	}
	if box == nil {
		return cfg, &apperr.Error{Kind: apperr.Unavailable,
			Msg:    fmt.Sprintf("connection %q has stored secrets but this server has no key to open them", conn.Name),
			Advice: []string{"start lakemap with the same " + secrets.EnvKey + " (or key file) that ingest used"}}
	}
	plain, err := box.OpenFor(conn.Secrets, conn.Name)
	if err != nil {
		return cfg, fmt.Errorf("opening secrets of connection %q: %w", conn.Name, err)
	}
	var fields map[string]string
	if err := json.Unmarshal(plain, &fields); err != nil {
		return cfg, apperr.New(apperr.Internal, "stored secrets of connection %q are not a JSON object", conn.Name)
	}
	setSecretFields(&cfg, fields)
	return cfg, nil
}

// setSecretFields restores the fields tagged secret:"true", keyed by their
// YAML names as ingest.Remember sealed them.
func setSecretFields(cfg *awsconn.Config, fields map[string]string) {
	v := reflect.ValueOf(cfg).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("secret") != "true" || f.Type.Kind() != reflect.String {
			continue
		}
		if s, ok := fields[f.Tag.Get("yaml")]; ok {
			v.Field(i).SetString(s)
		}
	}
}
