package forgery

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"testing"
)

// repeatedForgeries: a genuinely signed request with one of the headers the
// verifier reads sent twice, or a presigned URL with one of its signature
// parameters sent twice. SigV4 canonicalises a repeated header as its
// comma-joined values, so AWS finds the signature does not match; idpool
// had read the first value and verified it, while a proxy or a log that
// reads the last one saw something else.
func repeatedForgeries(t *testing.T, w *world, n *tally) {
	url := w.s.URL
	for _, e := range endpoints() {
		if err := do(e.request(url, devSigning(e))); err != nil {
			t.Fatalf("%s: the genuine signature is refused: %v", e.name, err)
		}
		twice := func(name, value string) func() *http.Request {
			return func() *http.Request {
				r := e.request(url, devSigning(e))
				r.Header.Add(name, value)
				return r
			}
		}
		// Another signature of the same request, as another signer (or
		// the same one later) would make it.
		otherAuth := func() string {
			sg := devSigning(e)
			sg.when = sg.when.Add(-time.Minute)
			return e.request(url, sg).Header.Get("Authorization")
		}
		cases := []struct {
			name string
			req  func() *http.Request
		}{
			{"X-Amz-Date twice (an old date after the signed one)", twice("X-Amz-Date", "20200101T000000Z")},
			{"X-Amz-Date twice (the same value)", func() *http.Request {
				r := e.request(url, devSigning(e))
				r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date"))
				return r
			}},
			{"Authorization twice (another signature after the genuine one)", func() *http.Request {
				r := e.request(url, devSigning(e))
				r.Header.Add("Authorization", otherAuth())
				return r
			}},
			{"Authorization twice (the genuine one second)", func() *http.Request {
				r := e.request(url, devSigning(e))
				genuine := r.Header.Get("Authorization")
				r.Header.Set("Authorization", otherAuth())
				r.Header.Add("Authorization", genuine)
				return r
			}},
			{"X-Amz-Security-Token added twice", func() *http.Request {
				r := e.request(url, devSigning(e))
				r.Header.Add("X-Amz-Security-Token", "a")
				r.Header.Add("X-Amz-Security-Token", "b")
				return r
			}},
			{"X-Amz-Content-Sha256 twice", func() *http.Request {
				r := e.request(url, devSigning(e))
				r.Header.Add("X-Amz-Content-Sha256", payloadHash(e.body))
				r.Header.Add("X-Amz-Content-Sha256", payloadHash("other"))
				return r
			}},
			{"Content-Type twice", twice("Content-Type", e.header.Get("Content-Type"))},
		}
		if e.service == "cognito-identity" {
			cases = append(cases, struct {
				name string
				req  func() *http.Request
			}{"X-Amz-Target twice", twice("X-Amz-Target", "AWSCognitoIdentityService.DeleteIdentityPool")})
		}
		for _, c := range cases {
			n.refuse(t, "repeated", e.name+": "+c.name, do(c.req()), e.mismatch)
		}
		// Host twice: Go's server refuses the request itself (400 "too
		// many Host headers") before any handler sees it.
		r := e.request(url, devSigning(e))
		n.refuse(t, "repeated", e.name+": Host twice", rawWithExtraLine(r, "Host: evil.example"))

		for _, param := range []string{"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Algorithm", "X-Amz-SignedHeaders", "X-Amz-Expires", "X-Amz-Security-Token"} {
			r := e.presigned(url, devSigning(e), time.Minute)
			q := r.URL.Query()
			if vs := q[param]; len(vs) > 0 {
				q[param] = []string{vs[0], vs[0]}
			} else {
				q[param] = []string{"a", "b"}
			}
			r.URL.RawQuery = q.Encode()
			n.refuse(t, "repeated", e.name+": presigned URL with "+param+" twice", do(r), e.mismatch)
		}
	}
}

// rawWithExtraLine sends r with one more header line, over a plain TCP
// connection (net/http would not send a second Host), and returns nil for
// a 2xx answer.
func rawWithExtraLine(r *http.Request, line string) error {
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		return err
	}
	raw := strings.Replace(buf.String(), "\r\n", "\r\n"+line+"\r\n", 1)
	conn, err := net.Dial("tcp", r.URL.Host)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(raw)); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &httpError{status: resp.StatusCode, code: fmt.Sprint(resp.StatusCode)}
}
