package logins

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Bounds of the in-memory caches (per process; they only hold public keys
// and discovery answers, so every node may keep its own).
const (
	maxKeySets   = 512
	discoveryTTL = time.Hour
)

// fetcher makes the bounded outbound calls and caches key sets.
type fetcher struct {
	client  *http.Client
	timeout time.Duration
	now     func() time.Time

	mu        sync.Mutex
	sets      map[string]*remoteSet // by JWKS URL
	discovery map[string]discovered // by issuer
}

type discovered struct {
	jwksURL string
	at      time.Time
}

func newFetcher(client *http.Client, timeout time.Duration, now func() time.Time) *fetcher {
	c := &http.Client{Timeout: timeout}
	if client != nil {
		cp := *client
		c = &cp
		if c.Timeout == 0 {
			c.Timeout = timeout
		}
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = limitBody{base}
	return &fetcher{client: c, timeout: timeout, now: now,
		sets: map[string]*remoteSet{}, discovery: map[string]discovered{}}
}

// limitBody caps every response body, so a hostile provider cannot make us
// read without end (key sets and discovery documents are read whole).
type limitBody struct{ base http.RoundTripper }

func (l limitBody) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err == nil {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, maxFetchBody), resp.Body}
	}
	return resp, err
}

// keySet returns the cached key set at jwksURL.
func (f *fetcher) keySet(jwksURL string) keySet {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ks, ok := f.sets[jwksURL]; ok {
		return ks
	}
	if len(f.sets) >= maxKeySets {
		for k := range f.sets { // drop one at random to stay bounded
			delete(f.sets, k)
			break
		}
	}
	ks := newRemoteSet(f, jwksURL)
	f.sets[jwksURL] = ks
	return ks
}

// jwksURL returns the jwks_uri of issuer's discovery document, which must
// name the same issuer (OpenID Connect Discovery §4.3).
func (f *fetcher) jwksURL(ctx context.Context, issuer string) (string, error) {
	f.mu.Lock()
	d, ok := f.discovery[issuer]
	f.mu.Unlock()
	if ok && f.now().Sub(d.at) < discoveryTTL {
		return d.jwksURL, nil
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := f.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", nil, &doc); err != nil {
		return "", err
	}
	if strings.TrimSuffix(doc.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return "", fmt.Errorf("discovery document of %q names issuer %q", issuer, doc.Issuer)
	}
	if doc.JWKSURI == "" {
		return "", errors.New("discovery document has no jwks_uri")
	}
	f.mu.Lock()
	if len(f.discovery) >= maxKeySets {
		clear(f.discovery)
	}
	f.discovery[issuer] = discovered{jwksURL: doc.JWKSURI, at: f.now()}
	f.mu.Unlock()
	return doc.JWKSURI, nil
}

// statusError is a provider's non-2xx answer.
type statusError struct {
	code int
	body []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %.200s", e.code, e.body) }

// getJSON GETs url and decodes a 2xx JSON answer into out. A non-2xx answer
// is a *statusError carrying its body.
func (f *fetcher) getJSON(ctx context.Context, url string, header http.Header, out any) error {
	body, err := f.get(ctx, url, header)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

// do sends req and decodes a 2xx JSON answer into out.
func (f *fetcher) do(req *http.Request, out any) error {
	body, err := f.read(req)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

// get GETs url, asking for JSON unless header says otherwise, and returns
// a 2xx answer's body.
func (f *fetcher) get(ctx context.Context, url string, header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	return f.read(req)
}

// read sends req and returns a 2xx answer's body (a *statusError carrying
// the body otherwise).
func (f *fetcher) read(req *http.Request) ([]byte, error) {
	ctx, cancel := context.WithTimeout(req.Context(), f.timeout)
	defer cancel()
	resp, err := f.client.Do(req.WithContext(ctx))
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL may carry a token in its query: log only where it went.
		return nil, fmt.Errorf("%s %s://%s%s: %w", ue.Op, req.URL.Scheme, req.URL.Host, req.URL.Path, ue.Err)
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, &statusError{code: resp.StatusCode, body: body}
	}
	return body, nil
}
