// Package ship tests what the container image and the release binaries rely
// on, on a real idpool process: serve flags from the environment, the
// issuer of a server on every interface, the container warning and
// "idpool healthcheck".
package ship

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/test/harness"
)

func discoveryIssuer(t *testing.T, url string) string {
	t.Helper()
	issuer, _, _ := harness.Discovery(t, url)
	return issuer
}

// Serve flags come from IDPOOL_<FLAG>; the harness's --addr wins over
// IDPOOL_ADDR, which names a port nobody listens on.
func TestServeFlagsFromEnvironment(t *testing.T) {
	t.Parallel()
	s := harness.Start(t, harness.Options{Env: []string{
		"IDPOOL_ISSUER=https://id.example.test", "IDPOOL_LOG_FORMAT=json", "IDPOOL_ADDR=127.0.0.1:1",
	}})
	if got := discoveryIssuer(t, s.URL); got != "https://id.example.test" {
		t.Errorf("issuer from IDPOOL_ISSUER: %q", got)
	}
	if !s.WaitLog(`"msg":"listening"`, 5*time.Second) {
		t.Errorf("IDPOOL_LOG_FORMAT=json did not make JSON logs:\n%s", s.Logs())
	}
	if !strings.Contains(s.Logs(), s.Addr) {
		t.Errorf("--addr %s did not win over IDPOOL_ADDR:\n%s", s.Addr, s.Logs())
	}
}

// A server on every interface names http://localhost:PORT as its issuer
// (the unspecified address is no URL), and in a container in development
// mode the log says the test account is reachable from the network.
func TestEveryInterfaceInContainer(t *testing.T) {
	t.Parallel()
	_, port, _ := net.SplitHostPort(harness.FreeAddr(t))
	s := harness.Start(t, harness.Options{Addr: "0.0.0.0:" + port, Env: []string{"IDPOOL_IN_CONTAINER=1"}})
	if got := discoveryIssuer(t, s.URL); got != "http://localhost:"+port {
		t.Errorf("issuer of a server on 0.0.0.0:%s: %q", port, got)
	}
	if !s.WaitLog("DEVELOPMENT MODE IN A CONTAINER", 5*time.Second) || !strings.Contains(s.Logs(), "reachable by anyone") {
		t.Errorf("no container warning:\n%s", s.Logs())
	}

	// On loopback only, the network cannot reach it: no warning.
	l := harness.Start(t, harness.Options{Env: []string{"IDPOOL_IN_CONTAINER=1"}})
	l.WaitLog(`msg=listening`, 5*time.Second)
	if strings.Contains(l.Logs(), "IN A CONTAINER") {
		t.Errorf("warning for a loopback listener:\n%s", l.Logs())
	}
}

// idpool healthcheck exits 0 while the server answers, 1 once it is gone;
// it reads IDPOOL_ADDR as serve does, and asks 127.0.0.1 for 0.0.0.0.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	bin := harness.Binary(t)
	s := harness.Start(t, harness.Options{})
	if out, errOut, code := harness.Run(t, nil, bin, "healthcheck", "--addr", s.Addr); code != 0 || strings.TrimSpace(out) != "ok" {
		t.Errorf("healthcheck --addr %s: exit %d %q %q", s.Addr, code, out, errOut)
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	if _, errOut, code := harness.Run(t, []string{"IDPOOL_ADDR=0.0.0.0:" + port}, bin, "healthcheck"); code != 0 {
		t.Errorf("healthcheck with IDPOOL_ADDR=0.0.0.0:%s: exit %d %q", port, code, errOut)
	}
	s.Stop()
	if _, errOut, code := harness.Run(t, nil, bin, "healthcheck", "--addr", s.Addr, "--timeout", "2s"); code != 1 || !strings.Contains(errOut, "idpool healthcheck:") {
		t.Errorf("healthcheck of a stopped server: exit %d %q", code, errOut)
	}
}
