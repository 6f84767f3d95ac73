package container

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/testlog"
	"github.com/idpool/idpool/test/harness"
)

// dockerAPI starts podman's Docker-compatible API on a socket of its own
// and returns DOCKER_HOST for it. containers.conf gives the service what
// engineFlags and runFlags give the podman command: runc, cgroupfs and the
// limits this host needs.
func dockerAPI(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "idpool-podman-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "containers.conf")
	if err := os.WriteFile(conf, []byte(`[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "podman.sock")
	svc := exec.Command("podman", "system", "service", "--time=0", "unix://"+sock)
	svc.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
	logs := &testlog.Buffer{}
	svc.Stdout, svc.Stderr = logs, logs
	if err := svc.Start(); err != nil {
		unavailable(t, "podman system service: "+err.Error())
	}
	t.Cleanup(func() { svc.Process.Kill(); svc.Wait() })
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}
	client := &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 2 * time.Second}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if resp, err := client.Get("http://podman/_ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return "unix://" + sock
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("podman's Docker API did not answer on %s:\n%s", sock, logs.String())
		}
	}
}

// testcontainersEnv is what a CI job sets for testcontainers on podman:
// the API socket, no Ryuk (its image is not reachable here; each test
// terminates its containers) and the image under test.
func testcontainersEnv(t *testing.T) []string {
	img := image(t)
	return append(os.Environ(), "DOCKER_HOST="+dockerAPI(t), "TESTCONTAINERS_RYUK_DISABLED=true",
		"IDPOOL_IMAGE="+img, "IDPOOL_TEST_REQUIRE_ALL=1")
}

// The Go module (testcontainers/idpool, a module of its own so idpool's
// go.mod does not carry testcontainers) passes its tests against the image.
func TestTestcontainersGo(t *testing.T) {
	env := testcontainersEnv(t)
	cmd := exec.Command("go", "test", "-count=1", "./...")
	cmd.Dir = filepath.Join(harness.Root(), "testcontainers", "idpool")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in testcontainers/idpool: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// The Node module (testcontainers/node, the testcontainers npm package)
// passes its tests against the image.
func TestTestcontainersNode(t *testing.T) {
	node := harness.Tool(t, "IDPOOL_TEST_NODE", "node")
	dir := filepath.Join(harness.Root(), "testcontainers", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "testcontainers")); err != nil {
		harness.Missing(t, fmt.Sprintf("npm packages in %s (npm ci there; make test does it)", dir))
	}
	env := testcontainersEnv(t)
	cmd := exec.Command(node, "--test", "test/")
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test in testcontainers/node: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
