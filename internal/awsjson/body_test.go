package awsjson

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadBodyIsReadAll: whatever the declared length says, readBody returns
// what io.ReadAll would, and a body past the limit is still refused.
func TestReadBodyIsReadAll(t *testing.T) {
	body := strings.Repeat("x", 1500)
	for _, declared := range []int64{-1, 0, 1, 700, 1499, 1500, 1501, 4096, 1 << 40} {
		for name, r := range map[string]func() io.Reader{
			"whole":    func() io.Reader { return strings.NewReader(body) },
			"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(body)) },
			"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(body)) },
		} {
			got, err := readBody(r(), declared, 1<<20)
			if err != nil || string(got) != body {
				t.Errorf("declared %d, %s: %d bytes, %v", declared, name, len(got), err)
			}
		}
	}
	failing := iotest.ErrReader(errors.New("cut"))
	if _, err := readBody(io.MultiReader(strings.NewReader("ab"), failing), 10, 100); err == nil || err.Error() != "cut" {
		t.Errorf("a failing body: %v", err)
	}
	w := httptest.NewRecorder()
	limited := http.MaxBytesReader(w, io.NopCloser(bytes.NewReader([]byte(body))), 1000)
	if _, err := readBody(limited, 900, 1000); err == nil {
		t.Error("a body past the limit, declared under it, was read")
	}
}
