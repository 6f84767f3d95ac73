package container

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/idpool/idpool/test/harness"
)

// TestComposeFile: compose.yaml runs the image make image tags, and every
// IDPOOL_ variable it sets (or documents in a comment) is one serve reads.
// No compose engine runs here, so this checks the file against the binary.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(harness.Root(), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `json:"image"`
			Environment map[string]string `json:"environment"`
			Ports       []string          `json:"ports"`
		} `json:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil { // compose has more keys than read here
		t.Fatal(err)
	}
	svc, ok := f.Services["idpool"]
	if !ok {
		t.Fatal("compose.yaml has no idpool service")
	}
	if svc.Image != "idpool:dev" {
		t.Errorf("idpool image %q, want the tag make image builds (idpool:dev)", svc.Image)
	}
	if !strings.HasPrefix(svc.Environment["IDPOOL_STORE"], "postgres://") {
		t.Errorf("IDPOOL_STORE %q is not PostgreSQL", svc.Environment["IDPOOL_STORE"])
	}
	for _, p := range svc.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("port %q is published on every interface", p)
		}
	}
	help, errOut, code := harness.Run(t, nil, harness.Binary(t), "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help: %d %s", code, errOut)
	}
	names := regexp.MustCompile(`IDPOOL_[A-Z_]+`).FindAllString(string(raw), -1)
	if len(names) < 3 {
		t.Fatalf("only %v in compose.yaml", names)
	}
	for _, n := range names {
		if !strings.Contains(help, "$"+n) {
			t.Errorf("compose.yaml sets %s, which serve does not read", n)
		}
	}
}
