// Package hostile attacks a running idpool with malformed and malicious
// requests over raw TCP: oversized and smuggled requests, broken JSON, wrong
// types for every member of every operation (enumerated from the botocore
// model), bad targets, methods and paths, malformed Query-protocol forms,
// slow and idle clients. Every case states the status (and AWS error type)
// it must get; the server must stay healthy throughout.
package hostile

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/test/harness"
)

// answerWait bounds how long one case may take to be answered; a case that
// is not answered within it is a hang.
const answerWait = 20 * time.Second

// closeWait bounds the wait for a connection the server should close.
const closeWait = 5 * time.Second

// hcase is one hostile request and what the server must answer.
type hcase struct {
	name string
	raw  []byte
	// status lists the acceptable statuses.
	status []int
	// typ is the AWS error type: the JSON __type or the Query <Code>, with
	// alternatives separated by "|"; empty when the answer is not an AWS
	// error (Go's own 400s, 404s, 405s).
	typ string
	// closes demands the server close the connection after answering.
	closes bool
	// contains, when set, must appear in the answer's body.
	contains string
}

// answer is what came back for one case.
type answer struct {
	status int
	typ    string
	closed bool
	body   string
}

// send writes c.raw on a fresh connection and reads one response. Writing
// runs beside reading: the server may answer (and stop reading) before a
// huge body is written.
func send(addr string, raw []byte, probeClose bool) (answer, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return answer{}, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(answerWait))
	go func() { _, _ = conn.Write(raw) }()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return answer{}, fmt.Errorf("no response: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	a := answer{status: resp.StatusCode, body: string(body), typ: errorType(resp.Header, body)}
	// Closed: the server said so, or the next read finds the end. A server
	// that keeps the connection shows nothing more; the wait for that is
	// paid only by a case that expects a close and doesn't get one.
	a.closed = resp.Close
	if !a.closed && probeClose {
		_ = conn.SetReadDeadline(time.Now().Add(closeWait))
		_, rerr := br.ReadByte()
		a.closed = rerr != nil && !isTimeout(rerr)
	}
	return a, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// errorType reads the AWS error type of a JSON or XML error answer.
func errorType(h http.Header, body []byte) string {
	if strings.Contains(h.Get("Content-Type"), "json") {
		var e struct {
			Type string `json:"__type"`
		}
		if json.Unmarshal(body, &e) == nil {
			return e.Type
		}
		return ""
	}
	if strings.Contains(h.Get("Content-Type"), "xml") {
		var e struct {
			Code string `xml:"Error>Code"`
		}
		if xml.Unmarshal(body, &e) == nil {
			return e.Code
		}
	}
	return ""
}

// check compares an answer with the case's expectations.
func (c hcase) check(a answer) error {
	if a.status >= 500 && !slices.Contains(c.status, a.status) {
		return fmt.Errorf("server error %d %s: %s", a.status, a.typ, trim(a.body))
	}
	if !slices.Contains(c.status, a.status) {
		return fmt.Errorf("status %d (%s %q), want %v", a.status, a.typ, trim(a.body), c.status)
	}
	if c.typ != "" && !slices.Contains(strings.Split(c.typ, "|"), a.typ) {
		return fmt.Errorf("type %q (%q), want %q", a.typ, trim(a.body), c.typ)
	}
	if c.contains != "" && !strings.Contains(a.body, c.contains) {
		return fmt.Errorf("body %q lacks %q", trim(a.body), c.contains)
	}
	if c.closes && !a.closed {
		return fmt.Errorf("connection left open after %d", a.status)
	}
	return nil
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// target is the X-Amz-Target of a Cognito Identity operation.
func target(op string) string { return "AWSCognitoIdentityService." + op }

// jsonRequest is a signed AWS JSON 1.1 request for op with body, serialized.
func jsonRequest(addr, op, body string) []byte {
	return signedRaw(addr, "cognito-identity", http.Header{
		"Content-Type": {"application/x-amz-json-1.1"},
		"X-Amz-Target": {target(op)},
	}, body)
}

// signedRaw signs a POST / for service with the development keys and
// returns its wire bytes.
func signedRaw(addr, service string, h http.Header, body string) []byte {
	r := signed(addr, service, h, body, time.Now())
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		panic(err) // a request built here always serializes
	}
	return buf.Bytes()
}

// signed builds a POST / signed at when, with the development keys.
func signed(addr, service string, h http.Header, body string, when time.Time) *http.Request {
	r, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	for k, v := range h {
		r.Header[k] = v
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: harness.DevAccessKey, SecretAccessKey: harness.DevSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, harness.Region, when); err != nil {
		panic(err)
	}
	return r
}

// rawReq assembles a request from a request line, header lines and a body.
func rawReq(line string, headers []string, body string) []byte {
	var b strings.Builder
	b.WriteString(line + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return []byte(b.String())
}
