package connections

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/catalog"
)

// ExportYAML is the connection as an OpenMetadata-shaped workflow file that
// `lakemap ingest -c` accepts again. Secrets are left out, with a comment
// saying where they go; the project is named by id, so ingest binds the
// role to the project's External ID; the schedule, which a workflow does
// not carry, is a comment.
func (s *Service) ExportYAML(c catalog.Connection) ([]byte, error) {
	in, sourceSecrets, err := stored(c, nil)
	if err != nil {
		return nil, err
	}
	d := doc{in: in, project: c.ProjectID}
	if c.ProjectID == "" && in.RoleARN != "" {
		// No project holds the External ID: the file carries it.
		d.externalID = c.ExternalID
	}
	data, err := d.yaml(s.registry)
	if err != nil {
		return nil, fmt.Errorf("export connection %q: %w", c.Name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("export connection %q: %w", c.Name, err)
	}
	header := []string{
		fmt.Sprintf("lakemap connection %q, exported by lakemap connection export.", c.Name),
		"Run it with: lakemap ingest -c <this file>",
	}
	if v := scheduleOf(c.Schedule); v.Cron != "" {
		header = append(header, fmt.Sprintf("Scheduled in lakemap (not part of a workflow file): cron %q", v.Cron))
	} else if v.Interval != "" {
		header = append(header, "Scheduled in lakemap (not part of a workflow file): every "+v.Interval)
	}
	root.HeadComment = strings.Join(header, "\n")
	order(&root)
	if in.Credentials.Type == StaticKeys {
		if k := keyNode(&root, "source", "serviceConnection", "config", "awsConfig"); k != nil {
			k.HeadComment = "Static keys are not exported: add awsAccessKeyId and awsSecretAccessKey (and awsSessionToken\n" +
				"if they are temporary) under awsConfig, preferably as ${ENV_VAR} references."
		}
	}
	if len(sourceSecrets) > 0 {
		if k := keyNode(&root, "source", "sourceConfig"); k != nil {
			k.HeadComment = "Secret scan options are not exported: add them under config at " + strings.Join(sourceSecrets, ", ") + "."
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("export connection %q: %w", c.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("export connection %q: %w", c.Name, err)
	}
	return buf.Bytes(), nil
}

// keyNode finds the key node at path in a document, nil when absent.
func keyNode(root *yaml.Node, path ...string) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var key *yaml.Node
	for _, p := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				key, next = n.Content[i], n.Content[i+1]
				break
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return key
}

// keyOrder puts a workflow's keys in the order people write them; other
// keys follow, sorted.
var keyOrder = []string{"source", "sink", "type", "serviceName", "serviceConnection", "sourceConfig", "config",
	"project", "accessLevel", "awsConfig", "assumeRoleArn"}

func order(n *yaml.Node) {
	if n == nil {
		return
	}
	for _, c := range n.Content {
		order(c)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	rank := func(k string) int {
		if i := slices.Index(keyOrder, k); i >= 0 {
			return i
		}
		return len(keyOrder)
	}
	pairs := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i][0].Value, pairs[j][0].Value
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		return a < b
	})
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p[0], p[1])
	}
}
