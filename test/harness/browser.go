package harness

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Browser returns node, Debian's chromium and test/browser (whose
// node_modules hold playwright-core), skipping the test when one is missing.
func Browser(t testing.TB) (node, chromium, dir string) {
	t.Helper()
	node = Tool(t, "IDPOOL_TEST_NODE", "node")
	chromium = Tool(t, "IDPOOL_TEST_CHROMIUM", "chromium")
	dir = filepath.Join(Root(), "test", "browser")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		Missing(t, "test/browser/node_modules (npm ci; make test runs it)")
	}
	return node, chromium, dir
}

// NodeScript runs script (an ES module) in node next to modules (name ->
// source, imported as "./name"), with input as JSON on stdin, and decodes
// its stdout as JSON into out. It skips the test without node.
func NodeScript(t testing.TB, modules map[string][]byte, script string, input, out any) {
	t.Helper()
	node := Tool(t, "IDPOOL_TEST_NODE", "node")
	dir := t.TempDir()
	modules["run.mjs"] = []byte(script)
	for name, src := range modules {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "run.mjs"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("node output %q: %v", stdout, err)
	}
}
