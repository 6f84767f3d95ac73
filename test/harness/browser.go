package harness

import (
	"os"
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
