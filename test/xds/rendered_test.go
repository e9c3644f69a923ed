package egressxds

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// What one example stack registers, as written by `node bin/test/xds/render.js <dir>`
// (test/helpers/stackProgram.ts): the same file the e2e compares with the API server.

type object = map[string]any

type renderedChart struct {
	Name      string         `json:"name"`
	Namespace string         `json:"namespace"`
	Chart     string         `json:"chart"`
	Values    map[string]any `json:"values"`
}

type renderedStack struct {
	Stack   string          `json:"stack"`
	Objects []object        `json:"objects"`
	Charts  []renderedChart `json:"charts"`
}

// inputsDir is where render.js wrote the stacks (XDS_INPUTS, default ../../out/xds).
func inputsDir() string {
	if d := os.Getenv("XDS_INPUTS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "out", "xds")
}

func loadRendered(dir string) (map[string]*renderedStack, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no rendered stacks in %s: run `npm run build && node bin/test/xds/render.js %s` first", dir, dir)
	}
	out := map[string]*renderedStack{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r renderedStack
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		out[r.Stack] = &r
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Accessors for untyped objects.

func str(o object, path ...string) string {
	v, _ := get(o, path...).(string)
	return v
}

func get(o object, path ...string) any {
	var cur any = o
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func list(o object, path ...string) []any {
	v, _ := get(o, path...).([]any)
	return v
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

func kindOf(o object) string      { return str(o, "kind") }
func nameOf(o object) string      { return str(o, "metadata", "name") }
func namespaceOf(o object) string { return str(o, "metadata", "namespace") }
func idOf(o object) string        { return kindOf(o) + "/" + namespaceOf(o) + "/" + nameOf(o) }

func isIstioConfig(o object) bool {
	group := strings.SplitN(str(o, "apiVersion"), "/", 2)[0]
	return strings.HasSuffix(group, ".istio.io")
}

// deepCopy copies a JSON-shaped value, so a negative control can mutate its own copy.
func deepCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
