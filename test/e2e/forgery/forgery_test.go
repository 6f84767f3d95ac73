// Package forgery tries to get into a running idpool with forged or
// tampered proof: SigV4 signatures, temporary credentials, idpool's own
// OpenID tokens, login tokens of a fake OpenID Connect provider, and SAML
// responses. Every attempt uses real crypto against a real server process,
// each category first shows the genuine article is accepted, and every
// forgery must be refused with the error AWS answers. The test prints how
// many attempts were made and refused, per category.
package forgery

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/test/harness"
)

// tally counts attempts and refusals per category.
type tally struct {
	mu       sync.Mutex
	attempts map[string]int
	refused  map[string]int
}

// refuse records one forgery attempt: err is what the server answered (nil
// when it accepted), want the acceptable AWS error codes (any when empty).
func (c *tally) refuse(t *testing.T, category, name string, err error, want ...string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attempts[category]++
	if err == nil {
		t.Errorf("%s: %s: ACCEPTED", category, name)
		return
	}
	c.refused[category]++
	t.Logf("%s: %s: refused: %s (%v)", category, name, codeOf(err), err)
	if code := codeOf(err); len(want) > 0 && !slices.Contains(want, code) {
		t.Errorf("%s: %s: refused with %q (%v), want one of %v", category, name, code, err, want)
	}
}

func (c *tally) report(t *testing.T) {
	t.Helper()
	var cats []string
	total, refused := 0, 0
	for k := range c.attempts {
		cats = append(cats, k)
		total += c.attempts[k]
		refused += c.refused[k]
	}
	sort.Strings(cats)
	for _, k := range cats {
		t.Logf("forgery/%s: %d attempts, %d refused", k, c.attempts[k], c.refused[k])
	}
	t.Logf("forgery: %d attempts, %d refused", total, refused)
	if total != refused {
		t.Errorf("%d forgeries were accepted", total-refused)
	}
}

// TestForgery runs every category against one server, which trusts a fake
// OpenID Connect provider (its TLS certificate) and a SAML provider.
func TestForgery(t *testing.T) {
	idp := newIssuer(t)
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}})
	w := setup(t, s, idp)
	n := &tally{attempts: map[string]int{}, refused: map[string]int{}}
	t.Run("sigv4", func(t *testing.T) { sigv4Forgeries(t, w, n) })
	t.Run("repeated", func(t *testing.T) { repeatedForgeries(t, w, n) })
	t.Run("credentials", func(t *testing.T) { credentialForgeries(t, w, n) })
	t.Run("openid", func(t *testing.T) { openIDForgeries(t, w, n) })
	t.Run("oidc-login", func(t *testing.T) { oidcForgeries(t, w, n) })
	t.Run("saml", func(t *testing.T) { samlForgeries(t, w, n) })
	n.report(t)
	for _, line := range strings.Split(s.Logs(), "\n") {
		if strings.Contains(line, "panic") || strings.Contains(line, "level=ERROR") {
			t.Errorf("server log: %s", line)
		}
	}
}

// httpError is a refusal read off the wire of a raw request.
type httpError struct {
	status int
	code   string
	body   string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.body) }

// codeOf is the AWS error code of an SDK or raw-request error.
func codeOf(err error) string {
	var he *httpError
	if errors.As(err, &he) {
		return he.code
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// do sends r and returns nil for a 2xx answer, else an *httpError.
func do(r *http.Request) error {
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	e := &httpError{status: resp.StatusCode, body: string(body)}
	if resp.StatusCode >= 500 {
		e.code = "server error"
		return e
	}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		var j struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(body, &j)
		e.code = j.Type
	} else {
		var x struct {
			Code string `xml:"Error>Code"`
		}
		_ = xml.Unmarshal(body, &x)
		e.code = x.Code
	}
	return e
}
