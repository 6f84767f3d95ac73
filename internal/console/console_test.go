package console

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serve(h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestServing(t *testing.T) {
	h := New()
	w := serve(h, http.MethodGet, "/console/", nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || w.Header().Get("Content-Security-Policy") != CSP {
		t.Fatalf("/console/: %d %v", w.Code, w.Header())
	}
	if w2 := serve(h, http.MethodGet, "/console/", map[string]string{"If-None-Match": w.Header().Get("ETag")}); w2.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", w2.Code)
	}
	if w := serve(h, http.MethodGet, "/console", nil); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/console/" {
		t.Errorf("/console: %d %v", w.Code, w.Header())
	}
	if w := serve(h, http.MethodPost, "/console/", nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", w.Code)
	}
	if w := serve(h, http.MethodGet, "/console/index.html", nil); w.Code != http.StatusNotFound {
		t.Errorf("/console/index.html: %d (served only as /console/)", w.Code)
	}
	for _, p := range h.Paths() {
		if w := serve(h, http.MethodGet, p, nil); w.Code != http.StatusOK && w.Code != http.StatusMovedPermanently {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
	// Files are looked up by exact path in a fixed map: nothing else is reachable.
	for _, p := range []string{"/console/../console.go", "/console/./app.js", "/console//app.js", "/console/assets/app.js", "/console/app.js/", "/console/APP.JS"} {
		if w := serve(h, http.MethodGet, p, nil); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
	}
	if w := serve(http.HandlerFunc(Disabled), http.MethodGet, "/console/", nil); w.Code != http.StatusNotFound {
		t.Errorf("disabled: %d", w.Code)
	}
}

// TestAssetsKeepThePolicy checks the files against what the CSP and the
// console's promises forbid: inline script or style, markup from strings,
// eval, keys kept in browser storage, anything fetched from elsewhere.
func TestAssetsKeepThePolicy(t *testing.T) {
	h := New()
	index := string(h.files[Prefix].body)
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(index, -1) {
		if !strings.Contains(tag, " src=") {
			t.Errorf("index.html has an inline script: %s", tag)
		}
	}
	for _, re := range []string{`<style`, `\sstyle=`, `\son[a-z]+=`, `https?://`} {
		if m := regexp.MustCompile(re).FindString(index); m != "" {
			t.Errorf("index.html has %q (%s)", m, re)
		}
	}
	imports := regexp.MustCompile(`from "\./([a-z0-9]+\.js)"`)
	for p, f := range h.files {
		if !strings.HasSuffix(p, ".js") {
			continue
		}
		src := string(f.body)
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage.", "sessionStorage.", "indexedDB", "document.cookie", "http://", "https://", "setAttribute(\"style\""} {
			if strings.Contains(src, bad) {
				t.Errorf("%s uses %s", p, bad)
			}
		}
		for _, m := range imports.FindAllStringSubmatch(src, -1) {
			if _, ok := h.files[Prefix+m[1]]; !ok {
				t.Errorf("%s imports %s, which is not embedded", p, m[1])
			}
		}
	}
}
