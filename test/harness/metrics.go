package harness

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// Get fetches url and returns its status and body.
func Get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Metric returns one series of the server at base's GET /metrics, named
// with its labels as the exposition prints it (`x_total{a="b"}`); 0 when
// absent.
func Metric(t testing.TB, base, series string) float64 {
	t.Helper()
	_, body := Get(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", series, err)
	}
	return v
}
