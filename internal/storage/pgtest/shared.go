package pgtest

import (
	"sync"
	"testing"
)

// shared is the one server of a test binary, started by the first test
// that asks and stopped by Main. It is process-wide by nature (like the
// harness's built binary): starting PostgreSQL per test would be too slow.
var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Shared returns the test binary's shared server, starting it on first use.
// Use NewDatabase on it for a fresh database per test.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = New() })
	if shared.err != nil {
		Unavailable(t, shared.err)
	}
	return shared.srv
}

// Main runs the tests and stops the shared server afterwards:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Close()
	}
	return code
}
