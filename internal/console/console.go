// Package console serves idpool's web console: static files embedded in the
// binary, and nothing else. Every datum the pages show comes from SigV4
// requests the browser signs itself and sends to the same AWS wire the CLI
// and SDKs use (Cognito Identity JSON 1.1, IAM and STS Query, idpool's
// IdpoolService extensions), so the console adds no endpoint that answers
// data without the account's keys.
package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// CSP is the Content-Security-Policy of every console response: scripts,
// styles and connections from the server's own origin only, no inline
// script or style, no framing (clickjacking), no plugins, no base or form
// target elsewhere.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed assets
var assets embed.FS

// file is one embedded asset, ready to serve.
type file struct {
	body  []byte
	ctype string
	etag  string
}

// Handler serves the embedded console.
type Handler struct {
	files map[string]file // by URL path
}

// New returns the console's handler over the embedded files.
func New() *Handler {
	h := &Handler{files: map[string]file{}}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "assets/")
		f := file{body: b, ctype: mime.TypeByExtension(path.Ext(name)), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		if name == "index.html" {
			name = ""
		}
		h.files[Prefix+name] = f
		return nil
	})
	if err != nil {
		panic("console: embedded assets: " + err.Error()) // the binary is broken
	}
	return h
}

// Paths are the exact paths the console answers: its files and /console
// (a redirect to /console/).
func (h *Handler) Paths() []string {
	ps := []string{strings.TrimSuffix(Prefix, "/")}
	for p := range h.files {
		ps = append(ps, p)
	}
	return ps
}

// ServeHTTP serves one embedded file with the console's security headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	// The console's files are public, but nothing else may use them from
	// another origin: no CORS on them (the wire sets "*" for the API).
	hd.Del("Access-Control-Allow-Origin")
	hd.Del("Access-Control-Expose-Headers")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	}
	f, ok := h.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd.Set("Content-Type", f.ctype)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.body)
}

// Disabled answers 404 on the console's paths: a server whose console is off
// serves nothing there, not even the sign-in page.
func Disabled(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
