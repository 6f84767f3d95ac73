// Package harness starts real idpool processes for end-to-end tests and hands
// out real AWS SDK clients pointed at them. Tests drive the server over HTTP
// only: nothing here reaches into the server's packages.
package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/internal/testlog"
)

// Development account of a zero-config server.
const (
	DevAccessKey = "test"
	DevSecretKey = "test"
	DevAccount   = "000000000000"
	Region       = "us-east-1"
)

// DevAccounts is the accounts section of a --config file giving the
// development account and keys, for tests that need a configuration file
// (which turns development mode off) and the usual clients.
const DevAccounts = `
accounts:
  - id: "` + DevAccount + `"
    keys:
      - accessKeyId: ` + DevAccessKey + `
        secretAccessKey: ` + DevSecretKey + `
`

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Root returns the module root.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// BinaryEnv names a prebuilt idpool binary the suites use instead of
// building their own: scripts/test.sh builds it once before go test, so
// some 25 test processes do not each link (or, on a cold cache, compile)
// the same binary.
const BinaryEnv = "IDPOOL_TEST_BINARY"

// Binary builds ./cmd/idpool once per test process (or takes $IDPOOL_TEST_BINARY)
// and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if p := os.Getenv(BinaryEnv); p != "" {
			if fi, err := os.Stat(p); err != nil || fi.IsDir() {
				buildErr = fmt.Errorf("%s=%s: not a binary: %v", BinaryEnv, p, err)
			}
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "idpool-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "idpool")
		// -trimpath, as scripts/build.sh: one compile cache serves both.
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, "./cmd/idpool")
		cmd.Dir = Root()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Options configure a server process.
type Options struct {
	// DataDir is the --data-dir; a fresh temporary directory when empty.
	DataDir string
	// Config is the YAML text of a --config file; none when empty.
	Config string
	// Args are extra arguments after "serve".
	Args []string
	// Env are extra environment variables (KEY=VALUE).
	Env []string
	// Addr is the listen address; a free loopback port when empty.
	Addr string
}

// Server is a running idpool process.
type Server struct {
	t       testing.TB
	opts    Options
	URL     string
	Addr    string
	DataDir string
	cmd     *exec.Cmd
	logs    *testlog.Buffer
	done    chan struct{}
	exitErr error
}

// Start starts an idpool server and waits until it answers /healthz.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.Addr == "" {
		opts.Addr = FreeAddr(t)
	}
	s := &Server{t: t, opts: opts, Addr: opts.Addr, URL: "http://" + opts.Addr, DataDir: opts.DataDir, logs: &testlog.Buffer{}}
	s.start()
	t.Cleanup(func() { s.Stop() })
	return s
}

func (s *Server) start() {
	t := s.t
	t.Helper()
	args := []string{"serve", "--addr", s.opts.Addr, "--data-dir", s.opts.DataDir}
	if s.opts.Config != "" {
		path := filepath.Join(s.opts.DataDir, "idpool-test-config.yaml")
		if err := os.WriteFile(path, []byte(s.opts.Config), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", path)
	}
	args = append(args, s.opts.Args...)
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), s.opts.Env...)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() {
		s.exitErr = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.done:
			t.Fatalf("idpool exited before it was ready: %v\n%s", s.exitErr, s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("idpool not ready after 30s\n%s", s.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Logs returns everything the process printed so far.
func (s *Server) Logs() string { return s.logs.String() }

// WaitLog waits up to d for the process's output to contain substr and
// reports whether it did. Output reaches Logs through a copying goroutine, so
// a line printed before the server answered may still be on its way.
func (s *Server) WaitLog(substr string, d time.Duration) bool { return s.logs.Wait(substr, d) }

// Stop sends SIGTERM and waits for the process to exit; it returns the exit error.
func (s *Server) Stop() error {
	return s.signal(syscall.SIGTERM)
}

// Kill sends SIGKILL (a crash) and waits.
func (s *Server) Kill() error {
	return s.signal(syscall.SIGKILL)
}

func (s *Server) signal(sig syscall.Signal) error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.done:
		return s.exitErr
	default:
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return s.exitErr
}

// Restart stops the process (SIGTERM) and starts it again on the same
// address and data directory.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Cognito returns an SDK client signed with the development account's keys.
func (s *Server) Cognito() *cognitoidentity.Client {
	return s.CognitoAs(DevAccessKey, DevSecretKey, Region)
}

// CognitoAs returns an SDK client signed with the given keys and region.
func (s *Server) CognitoAs(accessKey, secret, region string) *cognitoidentity.Client {
	return cognitoidentity.New(cognitoidentity.Options{
		Region:           region,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// Anonymous returns an SDK client with no credentials at all, as a browser
// app calling the unsigned operations has.
func (s *Server) Anonymous(region string) *cognitoidentity.Client {
	return cognitoidentity.New(cognitoidentity.Options{
		Region:           region,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
	})
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Tool returns the path of an external client named by env (for example
// IDPOOL_TEST_AWS_CLI), falling back to def on PATH. When it is missing the
// test is skipped, unless IDPOOL_TEST_REQUIRE_ALL is set (the test command
// sets it after installing everything), in which case it fails.
func Tool(t testing.TB, env, def string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		p, _ = exec.LookPath(def)
	}
	if p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	Missing(t, fmt.Sprintf("%s (set %s)", def, env))
	return ""
}

// Missing skips the test for want of an external client, or fails it when
// IDPOOL_TEST_REQUIRE_ALL is set (the test command sets it once it has
// installed everything, so a missing client can't pass silently in CI).
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("IDPOOL_TEST_REQUIRE_ALL") != "" {
		t.Fatalf("%s is required but missing", what)
	}
	t.Skipf("%s is not installed", what)
}

// Run runs a command with a timeout and returns stdout, stderr and the exit code.
func Run(t testing.TB, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
		}
	}
	return out.String(), errb.String(), code
}

// AWSEnv is the environment for the aws CLI (or boto3) against s with the
// development account, isolated from the user's own configuration. Debian's
// aws CLI 2.9 ignores AWS_ENDPOINT_URL: pass --endpoint-url s.URL to it too.
func (s *Server) AWSEnv(t testing.TB) []string {
	dir := t.TempDir()
	return []string{
		"AWS_ACCESS_KEY_ID=" + DevAccessKey,
		"AWS_SECRET_ACCESS_KEY=" + DevSecretKey,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_REGION=" + Region,
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"HOME=" + dir,
	}
}

// Discovery fetches the OpenID configuration of the server at base.
func Discovery(t testing.TB, base string) (issuer, jwksURI string, algs []string) {
	t.Helper()
	resp, err := http.Get(base + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("openid-configuration: %d %v", resp.StatusCode, err)
	}
	return doc.Issuer, doc.JWKSURI, doc.Algs
}
