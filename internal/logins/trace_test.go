package logins

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func BenchmarkTimeFacts(b *testing.B) {
	c := claims{"exp": json.Number("1796692167"), "iat": json.Number("1796688567"), "nbf": json.Number("1796688567")}
	b.ReportAllocs()
	for b.Loop() {
		_ = append(timeFacts(c), "now", strconv.FormatInt(1796690000, 10))
	}
}

// TestTimeFacts: each time claim as "UNIX (RFC 3339, UTC)", in the order
// exp, nbf, iat, whatever its JSON number form.
func TestTimeFacts(t *testing.T) {
	c := claims{"exp": json.Number("1796692167"), "iat": float64(1796688567), "nbf": int64(0), "auth_time": json.Number("1")}
	got := strings.Join(timeFacts(c), "|")
	want := "exp|1796692167 (2026-12-08T01:09:27Z)|nbf|0 (1970-01-01T00:00:00Z)|iat|1796688567 (2026-12-08T00:09:27Z)"
	if got != want {
		t.Fatalf("timeFacts = %s\nwant        %s", got, want)
	}
	if f := timeFacts(claims{"sub": "x"}); f != nil {
		t.Fatalf("no time claims: %v", f)
	}
}
