package source_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/source"
)

type fakeConn struct {
	source.AWSConnection `yaml:",inline"`
	Buckets              []string
}

type fakeConfig struct{ Depth int }

type otherConn struct{ source.AWSConnection }

type builtSource struct {
	conn *fakeConn
	cfg  *fakeConfig
}

func (builtSource) Scan(context.Context, source.Sink) error { return nil }

func fakeSpec() source.Spec {
	return source.Define(source.Definition[*fakeConn, *fakeConfig]{
		Type:                       "fake",
		ConnectionType:             "Fake",
		Service:                    source.ServiceS3,
		DatabasesUnderDataCatalogs: true,
		NewConnection:              func() *fakeConn { return &fakeConn{} },
		NewSourceConfig:            func() *fakeConfig { return &fakeConfig{Depth: 3} },
		New: func(in source.Input[*fakeConn, *fakeConfig]) (source.Source, error) {
			return builtSource{conn: in.Connection, cfg: in.SourceConfig}, nil
		},
		Probe: func(c *fakeConn) source.ProbeScope { return source.ProbeScope{Buckets: c.Buckets} },
	})
}

func TestDefine(t *testing.T) {
	spec := fakeSpec()
	conn := &fakeConn{Buckets: []string{"lake"}}
	for _, tc := range []struct {
		name    string
		params  source.Params
		wantErr string
		depth   int
	}{
		{"typed configs reach New", source.Params{Connection: conn, SourceConfig: &fakeConfig{Depth: 7}}, "", 7},
		{"no source config: the defaults", source.Params{Connection: conn}, "", 3},
		{"another source's connection", source.Params{Connection: &otherConn{}, SourceConfig: &fakeConfig{}}, "connection config is *source_test.otherConn, want *source_test.fakeConn", 0},
		{"another source's config", source.Params{Connection: conn, SourceConfig: struct{}{}}, "source config is struct {}, want *source_test.fakeConfig", 0},
		{"no connection", source.Params{SourceConfig: &fakeConfig{}}, "connection config is <nil>", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := spec.New(tc.params)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "fake source: ") {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b := src.(builtSource)
			if b.conn != conn || b.cfg.Depth != tc.depth {
				t.Errorf("built with %+v %+v", b.conn, b.cfg)
			}
		})
	}
	if _, ok := spec.NewConnection().(*fakeConn); !ok {
		t.Errorf("NewConnection gave %T", spec.NewConnection())
	}
	if cfg, ok := spec.NewSourceConfig().(*fakeConfig); !ok || cfg.Depth != 3 {
		t.Errorf("NewSourceConfig gave %#v", spec.NewSourceConfig())
	}
}

func TestProbeScope(t *testing.T) {
	spec := fakeSpec()
	for _, tc := range []struct {
		name string
		spec source.Spec
		conn source.AWSConfigHolder
		want []string
	}{
		{"declared", spec, &fakeConn{Buckets: []string{"a", "b"}}, []string{"a", "b"}},
		{"another source's connection", spec, &otherConn{}, nil},
		{"no connection", spec, nil, nil},
		{"no probe declared", source.Spec{Type: "bare"}, &fakeConn{Buckets: []string{"a"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.spec.ProbeScopeOf(tc.conn).Buckets
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("buckets = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNoSourceConfig(t *testing.T) {
	spec := source.Define(source.Definition[*fakeConn, *struct{}]{
		Type:          "bare",
		NewConnection: func() *fakeConn { return &fakeConn{} },
		New: func(in source.Input[*fakeConn, *struct{}]) (source.Source, error) {
			if in.SourceConfig != nil {
				t.Errorf("source config = %v, want nil", in.SourceConfig)
			}
			return builtSource{}, nil
		},
	})
	if spec.NewSourceConfig != nil {
		t.Error("a definition without NewSourceConfig gave a spec with one")
	}
	if _, err := spec.New(source.Params{Connection: &fakeConn{}}); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryFacts(t *testing.T) {
	r := source.NewRegistry()
	r.Register(fakeSpec())
	r.Register(source.Spec{Type: "flat", Service: source.ServiceGlue})
	for _, tc := range []struct {
		typ         string
		service     string
		known       bool
		underCatals bool
	}{
		{"fake", source.ServiceS3, true, true},
		{"flat", source.ServiceGlue, true, false},
		{"nope", "", false, false},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			svc, ok := r.Service(tc.typ)
			if svc != tc.service || ok != tc.known {
				t.Errorf("Service = %q, %v; want %q, %v", svc, ok, tc.service, tc.known)
			}
			if got := r.DatabasesUnderDataCatalogs(tc.typ); got != tc.underCatals {
				t.Errorf("DatabasesUnderDataCatalogs = %v", got)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a type twice did not panic")
		}
	}()
	r.Register(fakeSpec())
}
