package server

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// Every serve flag is read from IDPOOL_<FLAG>; a flag on the command line wins.
func TestFlagsFromEnvironment(t *testing.T) {
	env := map[string]string{
		"IDPOOL_ADDR": ":9350", "IDPOOL_ISSUER": "https://id.example.com", "IDPOOL_STORE": "postgres://db/idpool",
		"IDPOOL_DATA_DIR": "/data", "IDPOOL_STS_ENDPOINT": "http://sts:9000", "IDPOOL_LOG_FORMAT": "json",
		"IDPOOL_LOG_LEVEL": "debug", "IDPOOL_CONFIG": "/etc/idpool.yaml", "IDPOOL_SEED": "/seed.yaml", "IDPOOL_PPROF": "127.0.0.1:6060",
		"IDPOOL_STS_KIND": "minio", "IDPOOL_STS_ROLE_ARN_PATTERN": "arn:example:.*", "IDPOOL_STS_TIMEOUT": "3s",
	}
	o, err := parseFlagsEnv([]string{"--log-level", "warn"}, io.Discard, lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Addr: ":9350", Issuer: "https://id.example.com", Store: "postgres://db/idpool", DataDir: "/data",
		STSEndpoint: "http://sts:9000", STSKind: "minio", STSRoleARNPattern: "arn:example:.*", STSTimeout: "3s", LogFormat: "json", LogLevel: "warn", ConfigFile: "/etc/idpool.yaml", Seed: "/seed.yaml", PprofAddr: "127.0.0.1:6060"}
	if o != want {
		t.Errorf("got  %+v\nwant %+v", o, want)
	}
	// Every flag has its variable in the test above: a new flag is tested here.
	fs := newFlagSet(&Options{}, io.Discard)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		if _, ok := env[EnvName(f.Name)]; !ok {
			t.Errorf("--%s: no %s in the test", f.Name, EnvName(f.Name))
		}
	})
	if n != len(env) {
		t.Errorf("%d flags, %d variables", n, len(env))
	}
	// An empty variable sets the flag empty; without variables the defaults hold.
	o, _ = parseFlagsEnv(nil, io.Discard, lookupIn(nil))
	if o.Addr != DefaultAddr || o.LogFormat != "text" {
		t.Errorf("defaults: %+v", o)
	}
}

func TestDefaultIssuer(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:9350": "http://127.0.0.1:9350",
		"[::]:9350":      "http://localhost:9350",
		"0.0.0.0:19350":  "http://localhost:19350",
		":9350":          "http://localhost:9350",
		"10.0.0.5:9350":  "http://10.0.0.5:9350",
		"[::1]:9350":     "http://[::1]:9350",
	} {
		if got := defaultIssuer(addr); got != want {
			t.Errorf("defaultIssuer(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestContainerWarning(t *testing.T) {
	none := func(string) bool { return false }
	dockerenv := func(p string) bool { return p == "/.dockerenv" }
	podman := func(p string) bool { return p == "/run/.containerenv" }
	noEnv := lookupIn(nil)
	image := lookupIn(map[string]string{"IDPOOL_IN_CONTAINER": "1"})
	cases := []struct {
		name   string
		dev    bool
		addr   string
		lookup func(string) (string, bool)
		exists func(string) bool
		warn   bool
	}{
		{"docker, every interface", true, "[::]:9350", noEnv, dockerenv, true},
		{"podman, every interface", true, "0.0.0.0:9350", noEnv, podman, true},
		{"image variable", true, "10.0.0.5:9350", image, none, true},
		{"not in a container", true, "[::]:9350", noEnv, none, false},
		{"loopback only", true, "127.0.0.1:9350", image, dockerenv, false},
		{"configured", false, "[::]:9350", image, dockerenv, false},
		{"variable off", true, "[::]:9350", lookupIn(map[string]string{"IDPOOL_IN_CONTAINER": "0"}), none, false},
	}
	for _, c := range cases {
		w := containerWarning(c.dev, c.addr, c.lookup, c.exists)
		if (w != "") != c.warn {
			t.Errorf("%s: warning %q, want one: %v", c.name, w, c.warn)
		}
		if w != "" && !strings.Contains(w, "reachable") {
			t.Errorf("%s: %q does not say the account is reachable", c.name, w)
		}
	}
}

func TestProbeAddr(t *testing.T) {
	for addr, want := range map[string]string{":9350": "127.0.0.1:9350", "[::]:9350": "127.0.0.1:9350", "0.0.0.0:1": "127.0.0.1:1", "127.0.0.1:5": "127.0.0.1:5", "[::1]:5": "[::1]:5"} {
		if got := probeAddr(addr); got != want {
			t.Errorf("probeAddr(%q) = %q, want %q", addr, got, want)
		}
	}
}
