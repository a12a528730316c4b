package connections

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/workflow"
)

// toMap is a decoded config as the plain values its YAML keys hold, so
// configs are stored and exported by the same names the workflow uses.
func toMap(v any) (map[string]any, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	out := map[string]any{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	return out, nil
}

// sparse is what of v differs from def (the type's defaults): what a user
// wrote, give or take values equal to the defaults.
func sparse(v, def any) (map[string]any, error) {
	m, err := toMap(v)
	if err != nil {
		return nil, err
	}
	d, err := toMap(def)
	if err != nil {
		return nil, err
	}
	return diff(m, d), nil
}

func diff(m, def map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		d, has := def[k]
		if has && reflect.DeepEqual(v, d) {
			continue
		}
		vm, vIsMap := v.(map[string]any)
		dm, dIsMap := d.(map[string]any)
		switch {
		case vIsMap && dIsMap:
			if sub := diff(vm, dm); len(sub) > 0 {
				out[k] = sub
			}
		case vIsMap:
			if sub := diff(vm, nil); len(sub) > 0 {
				out[k] = sub
			}
		case isEmpty(v) && (!has || isEmpty(d)):
		default:
			out[k] = v
		}
	}
	return out
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// sparseWithoutSecrets is sparse with the config's secret fields (tagged
// secret:"true", such as the keys of an S3 manifest's securityConfig) taken
// out: they are returned apart, by dotted path, to be sealed.
func sparseWithoutSecrets(v, def any) (map[string]any, map[string]string, error) {
	plain, err := sparse(v, def)
	if err != nil {
		return nil, nil, err
	}
	masked, err := sparse(workflow.RedactedValue(v), def)
	if err != nil {
		return nil, nil, err
	}
	secrets := map[string]string{}
	collectSecrets(plain, masked, nil, secrets)
	for path := range secrets {
		deletePath(plain, strings.Split(path, "."))
	}
	return plain, secrets, nil
}

// collectSecrets finds the values masked in the redacted copy.
func collectSecrets(plain, masked map[string]any, prefix []string, out map[string]string) {
	for k, mv := range masked {
		path := append(append([]string(nil), prefix...), k)
		switch x := mv.(type) {
		case map[string]any:
			if pm, ok := plain[k].(map[string]any); ok {
				collectSecrets(pm, x, path, out)
			}
		case string:
			if pv, ok := plain[k].(string); ok && x == workflow.Mask && pv != workflow.Mask {
				out[strings.Join(path, ".")] = pv
			}
		}
	}
}

func deletePath(m map[string]any, path []string) {
	for len(path) > 1 {
		next, ok := m[path[0]].(map[string]any)
		if !ok {
			return
		}
		m, path = next, path[1:]
	}
	delete(m, path[0])
}

func setPath(m map[string]any, path []string, v any) {
	for len(path) > 1 {
		next, ok := m[path[0]].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[path[0]] = next
		}
		m, path = next, path[1:]
	}
	m[path[0]] = v
}

// hasParent reports whether the map holding path's last key exists in m.
func hasParent(m map[string]any, path []string) bool {
	for len(path) > 1 {
		next, ok := m[path[0]].(map[string]any)
		if !ok {
			return false
		}
		m, path = next, path[1:]
	}
	return true
}

func hasPath(m map[string]any, path []string) bool {
	for len(path) > 1 {
		next, ok := m[path[0]].(map[string]any)
		if !ok {
			return false
		}
		m, path = next, path[1:]
	}
	_, ok := m[path[0]]
	return ok
}

// keepSecrets returns next with the stored secret values of old put back
// where next omits them but still has the object that held them.
func keepSecrets(next, old map[string]any, secretPaths []string) map[string]any {
	out, _ := deepCopy(next).(map[string]any)
	for _, p := range secretPaths {
		path := strings.Split(p, ".")
		if hasPath(out, path) || !hasParent(out, path) {
			continue
		}
		if v, ok := getPath(old, path); ok {
			setPath(out, path, v)
		}
	}
	return out
}

func getPath(m map[string]any, path []string) (any, bool) {
	for len(path) > 1 {
		next, ok := m[path[0]].(map[string]any)
		if !ok {
			return nil, false
		}
		m, path = next, path[1:]
	}
	v, ok := m[path[0]]
	return v, ok
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
