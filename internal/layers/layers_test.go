package layers_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/idpool/idpool/internal/"

// Layers, from the top. A request flows front end -> codec -> operation
// table -> core -> storage; imports may only point the same way.
var (
	composition = []string{"server", "fuzzstack"}
	frontEnd    = []string{"wire", "faults", "traces"}
	codecs      = []string{"awsjson", "awsquery", "protocol", "model"}
	opTables    = []string{"ops", "stsquery", "iamquery"}
	// core is everything below the operation tables.
	core = []string{"apierr", "auth", "identity", "iam", "sts", "logins", "tokens", "roles", "policy",
		"pagination", "sealbox", "trace", "storage", "storage/sqlite", "storage/postgres", "storage/sqlstore",
		"storage/backends", "storage/conformance"}
)

// deps maps each package of the module to every idpool package it imports,
// directly or not (test files excluded).
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-f", "{{.ImportPath}}:{{join .Deps \" \"}}", "github.com/idpool/idpool/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, ":")
		for _, d := range strings.Fields(list) {
			if strings.HasPrefix(d, module) {
				m[strings.TrimPrefix(pkg, module)] = append(m[strings.TrimPrefix(pkg, module)], strings.TrimPrefix(d, module))
			}
		}
		if _, ok := m[strings.TrimPrefix(pkg, module)]; !ok {
			m[strings.TrimPrefix(pkg, module)] = nil
		}
	}
	return m
}

// violations lists where a package of from depends on one of banned.
func violations(m map[string][]string, from []string, banned ...[]string) []string {
	var out []string
	for _, p := range from {
		ds, ok := m[p]
		if !ok {
			out = append(out, "package "+p+" is gone: update the layers")
			continue
		}
		for _, d := range ds {
			for _, layer := range banned {
				for _, b := range layer {
					if d == b || strings.HasPrefix(d, b+"/") {
						out = append(out, p+" imports "+d+", a layer above it")
					}
				}
			}
		}
	}
	return out
}

func TestImportsFlowOneWay(t *testing.T) {
	m := deps(t)
	var bad []string
	bad = append(bad, violations(m, core, opTables, codecs, frontEnd, composition)...)
	bad = append(bad, violations(m, opTables, frontEnd, composition, []string{"awsjson", "model"})...)
	bad = append(bad, violations(m, codecs, frontEnd, composition)...)
	bad = append(bad, violations(m, frontEnd, composition)...)
	// The CLI, the load generator and stack files are clients of the wire.
	bad = append(bad, violations(m, []string{"cli", "bench", "stack"}, core, opTables, codecs, frontEnd, composition)...)
	for _, b := range bad {
		t.Error(b)
	}
}

// The rule itself catches an upward import, direct or not.
func TestViolationsAreFound(t *testing.T) {
	m := map[string][]string{"roles": {"apierr", "awsquery"}, "ops": {"storage/sqlite"}}
	if got := violations(m, []string{"roles", "ops"}, codecs); len(got) != 1 || got[0] != "roles imports awsquery, a layer above it" {
		t.Errorf("violations = %q", got)
	}
	if got := violations(m, []string{"gone"}); len(got) != 1 {
		t.Errorf("a missing package is not reported: %q", got)
	}
}

// The core and storage must not even know a codec exists.
func TestStorageImportsNothingAbove(t *testing.T) {
	m := deps(t)
	for _, d := range m["storage"] {
		t.Errorf("storage imports %s", d)
	}
}

// The config file's schema is plain data: it imports no idpool package, so
// a section's shape never depends on the code acting on it.
func TestConfigImportsNothingOfIdpool(t *testing.T) {
	m := deps(t)
	if _, ok := m["config"]; !ok {
		t.Fatal("package config is gone: update the test")
	}
	for _, d := range m["config"] {
		t.Errorf("config imports %s", d)
	}
}
