package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// client sends raw AWS JSON 1.1 requests. The load generator builds requests
// itself rather than through the SDK's middleware stack so that the client
// spends as little as possible of the machine it shares with the server.
type client struct {
	endpoint string
	region   string
	creds    aws.Credentials
	signer   *v4.Signer
	http     *http.Client
	bufs     sync.Pool // *bytes.Buffer for response bodies

	sigMu sync.Mutex
	sigs  map[sigKey]sigEntry
}

func newClient(endpoint, region, accessKey, secretKey string, conns int) *client {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	return &client{
		endpoint: strings.TrimRight(endpoint, "/") + "/",
		region:   region,
		creds:    aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey},
		signer:   v4.NewSigner(),
		http:     &http.Client{Transport: tr, Timeout: 30 * time.Second},
		bufs:     sync.Pool{New: func() any { return new(bytes.Buffer) }},
		sigs:     map[sigKey]sigEntry{},
	}
}

// call sends one operation and decodes a 200 answer into out (when non-nil).
// in is the input: raw JSON bytes, or a value to encode. It returns the
// error type for accounting ("" on success).
func (c *client) call(ctx context.Context, op string, signed bool, in, out any) (string, error) {
	body, ok := in.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return "client", err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "client", err
	}
	target := "AWSCognitoIdentityService." + op
	req.Header["Content-Type"] = []string{"application/x-amz-json-1.1"}
	req.Header["X-Amz-Target"] = []string{target}
	if signed {
		if err := c.sign(ctx, req, target, body); err != nil {
			return "client", err
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(ctx, err)
	}
	defer resp.Body.Close()
	buf := c.bufs.Get().(*bytes.Buffer)
	defer c.bufs.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return transportError(ctx, err) // the run's end can cut a body short too
	}
	data := buf.Bytes()
	if resp.StatusCode != http.StatusOK {
		t := errorType(resp.Header.Get("X-Amzn-ErrorType"), data)
		if t == "" {
			t = fmt.Sprintf("http-%d", resp.StatusCode)
		}
		return t, fmt.Errorf("%s: %s", op, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return "bad-response", err
		}
	}
	return "", nil
}

// sign adds a SigV4 signature made by the SDK's signer. Identical requests
// signed within the same second get the same signature, so the signature
// of a (target, body) is reused for the rest of its second instead of being
// computed again: the generator spends its share of the machine on
// requests, the server still verifies every one.
func (c *client) sign(ctx context.Context, req *http.Request, target string, body []byte) error {
	now := time.Now().UTC()
	key := sigKey{target: target, body: string(body)}
	c.sigMu.Lock()
	e, ok := c.sigs[key]
	c.sigMu.Unlock()
	if ok && e.second == now.Unix() {
		req.Header["X-Amz-Date"] = []string{e.date}
		req.Header["Authorization"] = []string{e.auth}
		return nil
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "cognito-identity", c.region, now); err != nil {
		return err
	}
	c.sigMu.Lock()
	if len(c.sigs) >= maxCachedSigs {
		clear(c.sigs)
	}
	c.sigs[key] = sigEntry{second: now.Unix(), date: req.Header.Get("X-Amz-Date"), auth: req.Header.Get("Authorization")}
	c.sigMu.Unlock()
	return nil
}

// maxCachedSigs bounds the signature cache (one entry per distinct request).
const maxCachedSigs = 4096

type sigKey struct{ target, body string }

type sigEntry struct {
	second     int64
	date, auth string
}

// errorType extracts the AWS error code the way the SDKs do: the
// x-amzn-ErrorType header, else the body's __type (or code), cut at ':' and
// after '#'.
func errorType(header string, body []byte) string {
	t := header
	if t == "" {
		var e struct {
			Type string `json:"__type"`
			Code string `json:"code"`
		}
		if json.Unmarshal(body, &e) == nil {
			t = e.Type
			if t == "" {
				t = e.Code
			}
		}
	}
	if i := strings.IndexByte(t, ':'); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		t = t[i+1:]
	}
	return t
}

// checkLoopback refuses targets that are not on this machine unless allowed:
// a load generator pointed at someone else's server by mistake is an attack.
func checkLoopback(endpoint string, allowRemote bool) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bad endpoint %q", endpoint)
	}
	if allowRemote {
		return nil
	}
	host := u.Hostname()
	ips, err := net.LookupIP(host)
	if err != nil {
		return fmt.Errorf("resolve %s: %v", host, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address: pass --allow-remote to load a remote endpoint", host)
		}
	}
	return nil
}

// transportError classifies a failed exchange: a request cut off because the
// run ended is "canceled" (not counted), anything else is "transport".
func transportError(ctx context.Context, err error) (string, error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "canceled", err
	}
	return "transport", err
}
