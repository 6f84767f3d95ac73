// Package pgtest starts real PostgreSQL servers for tests, from the Debian
// binaries ($IDPOOL_TEST_POSTGRES_BIN, else the newest
// /usr/lib/postgresql/*/bin). A server lives in a temporary directory and
// listens on a free loopback port; when the tests run as root it runs as
// "nobody", because postgres refuses to run as root. When PostgreSQL cannot
// start, tests skip, or fail if IDPOOL_TEST_REQUIRE_ALL is set.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is one running PostgreSQL.
type Server struct {
	bin, dir, data string
	port           int
	uid, gid       int // the user postgres runs as; -1 when not root
	mu             sync.Mutex
	cmd            *exec.Cmd
	exited         chan struct{}
	log            *os.File
	dbs            int
}

// binDir finds the PostgreSQL binaries.
func binDir() (string, error) {
	if d := os.Getenv("IDPOOL_TEST_POSTGRES_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi < vj
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "postgres")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("no PostgreSQL binaries (set IDPOOL_TEST_POSTGRES_BIN or install postgresql)")
}

// Unavailable skips the test, or fails it under IDPOOL_TEST_REQUIRE_ALL.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("IDPOOL_TEST_REQUIRE_ALL") != "" {
		t.Fatalf("PostgreSQL: %v", err)
	}
	t.Skipf("PostgreSQL unavailable: %v", err)
}

// Start starts a server of the test's own, stopped at the end of the test.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := New()
	if err != nil {
		Unavailable(t, err)
	}
	t.Cleanup(s.Close)
	return s
}

// New initializes and starts a server; Close stops it and removes its files.
func New() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "idpool-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, data: filepath.Join(dir, "data"), uid: -1, gid: -1}
	if err := s.init(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.Restart(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) init() error {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return fmt.Errorf("running as root and no user nobody to run postgres: %w", err)
		}
		s.uid, _ = strconv.Atoi(u.Uid)
		s.gid, _ = strconv.Atoi(u.Gid)
		// nobody must reach its directories inside ours.
		if err := os.Chmod(s.dir, 0o755); err != nil {
			return err
		}
	}
	for _, d := range []string{s.data, s.sockDir()} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
		if s.uid >= 0 {
			if err := os.Chown(d, s.uid, s.gid); err != nil {
				return err
			}
		}
	}
	out, err := s.command("initdb", "-D", s.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	return nil
}

func (s *Server) sockDir() string { return filepath.Join(s.dir, "sock") }

// command runs a PostgreSQL binary as the server's user.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if s.uid >= 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(s.uid), Gid: uint32(s.gid)}
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	return cmd
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Restart starts the server (again, on the same port after a Stop) and
// waits until it accepts connections.
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("pgtest: server is running")
	}
	if s.port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		s.port = p
	}
	if s.log == nil {
		f, err := os.Create(filepath.Join(s.dir, "postgres.log"))
		if err != nil {
			return err
		}
		s.log = f
	}
	// fsync off: the tests kill processes, not machines; the OS keeps what
	// postgres wrote, and the shared test machine stays fast.
	cmd := s.command("postgres", "-D", s.data, "-k", s.sockDir(), "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			c.Close(ctx)
			return nil
		}
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("postgres exited at start: %s", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections: %v; %s", err, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// Stop stops the server: "immediate" is a crash (SIGQUIT, recovery on the
// next start), anything else a fast shutdown (SIGINT).
func (s *Server) Stop(mode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	sig := syscall.SIGINT
	if mode == "immediate" {
		sig = syscall.SIGQUIT
	}
	s.cmd.Process.Signal(sig)
	<-s.exited
	s.cmd = nil
}

// Close stops the server and removes its files.
func (s *Server) Close() {
	s.Stop("fast")
	if s.log != nil {
		s.log.Close()
	}
	os.RemoveAll(s.dir)
}

// URL is the connection string of database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// NewDatabase creates a fresh database and returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	s.dbs++
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.dbs)
	s.mu.Unlock()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return s.URL(name)
}
