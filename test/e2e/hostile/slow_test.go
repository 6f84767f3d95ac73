package hostile

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idpool/idpool/test/harness"
)

// The server's documented timeouts (internal/server): headers must arrive
// within 10 s, the whole request within 30 s, the response be written
// within 30 s. A bound well beyond them tells "cut off" from "hangs".
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	cutOffBound       = 3 * readTimeout
	idleConns         = 200
)

// slowClients starts the slow and idle clients as parallel subtests.
func slowClients(t *testing.T, s *harness.Server, n *tally) {
	t.Run("slowloris headers", func(t *testing.T) {
		t.Parallel()
		n.record(slowloris(t, s.Addr))
	})
	t.Run("slow body", func(t *testing.T) {
		t.Parallel()
		n.record(slowBody(t, s.Addr))
	})
	t.Run("never reads responses", func(t *testing.T) {
		t.Parallel()
		n.record(neverReads(t, s.Addr))
	})
	t.Run("idle connections", func(t *testing.T) {
		t.Parallel()
		n.record(idle(t, s))
	})
}

// closedBy reports (by closing the returned channel) when the server ends
// conn: a read sees EOF or a reset. Whatever it sends first is drained.
func closedBy(conn net.Conn) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	return done
}

// slowloris sends a header byte every 200 ms and never finishes; the server
// must drop it once ReadHeaderTimeout passes.
func slowloris(t *testing.T, addr string) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closed := closedBy(conn)
	start := time.Now()
	_, _ = conn.Write([]byte("POST / HTTP/1.1\r\nHost: " + addr + "\r\nX-Slow: "))
	go func() {
		for {
			select {
			case <-closed:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
		}
	}()
	ok := within(t, closed, cutOffBound, "slowloris")
	t.Logf("slowloris cut off after %v (ReadHeaderTimeout %v)", time.Since(start).Round(time.Second), readHeaderTimeout)
	return ok
}

// slowBody sends complete headers, then a body byte a second; the server
// must end the request once ReadTimeout passes (answering or closing).
func slowBody(t *testing.T, addr string) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write(rawReq("POST / HTTP/1.1", []string{"Host: " + addr, "Content-Type: application/x-amz-json-1.1",
		"X-Amz-Target: " + target("GetId"), "Content-Length: 1000"}, "{"))
	answered := make(chan *http.Response, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			answered <- resp
		}
	}()
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	defer func() { t.Logf("slow body over after %v", time.Since(start).Round(time.Second)) }()
	if !within(t, done, cutOffBound, "slow body") {
		return false
	}
	select {
	case resp := <-answered:
		// Whatever it answers, it must not be a server error.
		if resp.StatusCode >= 500 {
			t.Errorf("slow body answered %d", resp.StatusCode)
			return false
		}
		t.Logf("slow body answered %d", resp.StatusCode)
	default:
		t.Logf("slow body: connection closed without an answer")
	}
	return true
}

// neverReads pipelines requests and never reads an answer: once the socket
// buffers fill, the server's write blocks; WriteTimeout must end it.
func neverReads(t *testing.T, addr string) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	// The key set is the largest answer (certificates included), so the
	// buffers fill after a few thousand requests, not tens of thousands.
	req := []byte(strings.Repeat("GET /.well-known/jwks_uri HTTP/1.1\r\nHost: "+addr+"\r\n\r\n", 64))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := conn.Write(req); err != nil {
				return // reset or broken pipe: the server gave up on us
			}
		}
	}()
	start := time.Now()
	ok := within(t, done, cutOffBound, "client that never reads")
	t.Logf("client that never reads cut off after %v", time.Since(start).Round(time.Second))
	return ok
}

// idle opens many connections that never send a byte; meanwhile the server
// answers others, and it closes them all once ReadHeaderTimeout passes.
func idle(t *testing.T, s *harness.Server) bool {
	var conns []net.Conn
	var closed []<-chan struct{}
	for range idleConns {
		c, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Errorf("dial idle connection %d: %v", len(conns), err)
			break
		}
		conns = append(conns, c)
		closed = append(closed, closedBy(c))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	start := time.Now()
	defer func() { t.Logf("idle connections closed after %v", time.Since(start).Round(time.Second)) }()
	ok := len(conns) == idleConns && healthy(t, s)
	for i, c := range closed {
		if !within(t, c, cutOffBound, "idle connection") {
			t.Errorf("idle connection %d still open", i)
			return false
		}
	}
	return ok
}
