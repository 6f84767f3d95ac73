package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// computeFast computes the signature of the common request shape (header
// signature, path "/", no query: every AWS JSON and Query protocol call)
// directly, instead of through a request copy and the SDK's signer, and
// reproduces what computeSDK does for it exactly (fast_test.go compares
// the two on generated requests). ok is false for any other shape, which
// computeSDK handles.
func computeFast(r *http.Request, body []byte, sig *signature, secret string) (string, bool) {
	if sig.presigned || r.URL.Path != "/" || r.URL.RawPath != "" || r.URL.RawQuery != "" {
		return "", false
	}
	// The SDK path lower-cases, de-duplicates and sorts names itself; take
	// only lists a client signer produces (sorted, unique, lower case).
	for i, h := range sig.signedHeaders {
		if h == "" || (i > 0 && h <= sig.signedHeaders[i-1]) {
			return "", false
		}
		for j := 0; j < len(h); j++ {
			if c := h[j]; 'A' <= c && c <= 'Z' {
				return "", false
			}
		}
	}

	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if port := portOnly(host); port != "" && isDefaultPort(scheme, port) {
		host = stripPort(host)
	}
	date := sig.date.UTC()

	// The signer always signs host and x-amz-date, and content-length only
	// when it is listed and positive.
	var nameBuf [16]string
	names := nameBuf[:0]
	var length int64
	for _, h := range sig.signedHeaders {
		if h == "content-length" {
			n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
			if err != nil {
				n = r.ContentLength
			}
			if length = n; n <= 0 {
				continue
			}
		}
		names = append(names, h)
	}
	names = insertSorted(insertSorted(names, "host"), "x-amz-date")

	// The canonical request, then the string to sign, in one buffer (on
	// the stack unless the request is unusually large).
	b := make([]byte, 0, 1024)
	b = append(b, r.Method...)
	b = append(b, "\n/\n\n"...)
	for _, h := range names {
		b = append(b, h...)
		b = append(b, ':')
		switch h {
		case "host":
			b = append(b, stripExcessSpaces(host)...)
		case "x-amz-date":
			b = date.AppendFormat(b, amzDateForm)
		case "content-length":
			b = strconv.AppendInt(b, length, 10)
		default:
			for i, v := range r.Header[canonicalKey(h)] {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, strings.TrimSpace(stripExcessSpaces(v))...)
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, h := range names {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	b = append(b, '\n')
	payload := sha256.Sum256(body)
	b = hex.AppendEncode(b, payload[:])
	canonical := sha256.Sum256(b)

	// The string to sign follows the 64 bytes hmacKey32 puts its inner
	// pad in.
	b = append(b[:0], make([]byte, sha256.BlockSize)...)
	b = append(b, algorithm+"\n"...)
	b = date.AppendFormat(b, amzDateForm)
	b = append(b, '\n')
	dayAt := len(b)
	b = date.AppendFormat(b, dateForm)
	day := b[dayAt:]
	b = append(b, '/')
	b = append(b, sig.scope.Region...)
	b = append(b, '/')
	b = append(b, sig.scope.Service...)
	b = append(b, "/"+terminator+"\n"...)
	b = hex.AppendEncode(b, canonical[:])

	key := signingKeys.get(secret, day, sig.scope.Region, sig.scope.Service)
	mac := hmacKey32(&key, b)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], mac[:])
	return string(out[:]), true
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// hmacKey32 is HMAC-SHA256 (RFC 2104) with a 32-byte key (a SigV4 signing
// key) of the message buf[sha256.BlockSize:], without allocating: buf's
// first block is overwritten with the inner pad. A key shorter than the
// block is zero-padded, so the pads are key^0x36 and key^0x5c followed by
// 0x36 and 0x5c bytes. TestHMACKey32 compares it with crypto/hmac.
func hmacKey32(key *[sha256.Size]byte, buf []byte) [sha256.Size]byte {
	for i := range sha256.BlockSize {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		buf[i] = k ^ 0x36
	}
	inner := sha256.Sum256(buf)
	var outer [sha256.BlockSize + sha256.Size]byte
	for i := range sha256.BlockSize {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[sha256.BlockSize:], inner[:])
	return sha256.Sum256(outer[:])
}

// signingKeys remembers SigV4 signing keys. A key is
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, day), region), service), "aws4_request"):
// four HMACs that are the same for every request of a signer on one day, in
// one region, for one service. Entries are keyed by the secret itself (not
// the access key id, which is what made the SDK's own cache unfit for a
// verifier whose secrets change), so a rotated secret never meets the
// previous one's key. At most maxSigningKeys entries are kept; when full,
// the cache starts over. Only requests whose access key the keyring knew
// get here.
var signingKeys = keyCache{m: map[keyID][sha256.Size]byte{}}

const maxSigningKeys = 1024

// maxSigningKeyID bounds what one entry holds (a verified request's scope
// may name any service): a longer secret, region and service are derived
// every time instead.
const maxSigningKeyID = 256

type keyID struct {
	secret, region, service string
	day                     [len(dateForm)]byte
}

type keyCache struct {
	mu sync.RWMutex
	m  map[keyID][sha256.Size]byte
}

func (c *keyCache) get(secret string, day []byte, region, service string) [sha256.Size]byte {
	if len(day) != len(dateForm) || len(secret)+len(region)+len(service) > maxSigningKeyID {
		return deriveKey(secret, string(day), region, service)
	}
	id := keyID{secret: secret, region: region, service: service, day: [len(dateForm)]byte(day)}
	c.mu.RLock()
	key, ok := c.m[id]
	c.mu.RUnlock()
	if ok {
		return key
	}
	key = deriveKey(secret, string(day), region, service)
	c.mu.Lock()
	if len(c.m) >= maxSigningKeys {
		clear(c.m)
	}
	c.m[id] = key
	c.mu.Unlock()
	return key
}

func deriveKey(secret, day, region, service string) [sha256.Size]byte {
	key := hmacSHA256([]byte("AWS4"+secret), day)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	return [sha256.Size]byte(hmacSHA256(key, terminator))
}

// insertSorted adds s to the sorted list names unless it is there.
func insertSorted(names []string, s string) []string {
	i := 0
	for i < len(names) && names[i] < s {
		i++
	}
	if i < len(names) && names[i] == s {
		return names
	}
	names = append(names, "")
	copy(names[i+1:], names[i:])
	names[i] = s
	return names
}

// The host and space rules below are the SDK signer's
// (aws/signer/internal/v4), which this package cannot import.

func stripExcessSpaces(str string) string {
	j := len(str) - 1
	for j >= 0 && str[j] == ' ' {
		j--
	}
	k := 0
	for k < j && str[k] == ' ' {
		k++
	}
	str = str[k : j+1]
	if !strings.Contains(str, "  ") {
		return str
	}
	buf := make([]byte, 0, len(str))
	spaces := 0
	for i := 0; i < len(str); i++ {
		if str[i] == ' ' {
			if spaces == 0 {
				buf = append(buf, ' ')
			}
			spaces++
			continue
		}
		spaces = 0
		buf = append(buf, str[i])
	}
	return string(buf)
}

func stripPort(hostport string) string {
	colon := strings.IndexByte(hostport, ':')
	if colon == -1 {
		return hostport
	}
	if i := strings.IndexByte(hostport, ']'); i != -1 {
		return strings.TrimPrefix(hostport[:i], "[")
	}
	return hostport[:colon]
}

func portOnly(hostport string) string {
	colon := strings.IndexByte(hostport, ':')
	if colon == -1 {
		return ""
	}
	if i := strings.Index(hostport, "]:"); i != -1 {
		return hostport[i+len("]:"):]
	}
	if strings.Contains(hostport, "]") {
		return ""
	}
	return hostport[colon+len(":"):]
}

func isDefaultPort(scheme, port string) bool {
	if port == "" {
		return true
	}
	s := strings.ToLower(scheme)
	return (s == "http" && port == "80") || (s == "https" && port == "443")
}

// knownKeys are the canonical forms of the headers the SDKs sign besides
// host and x-amz-date: canonicalKey finds them without the allocation of
// textproto.CanonicalMIMEHeaderKey on a lower-case name.
var knownKeys = map[string]string{
	"content-type":          "Content-Type",
	"x-amz-target":          "X-Amz-Target",
	"x-amz-security-token":  "X-Amz-Security-Token",
	"x-amz-content-sha256":  "X-Amz-Content-Sha256",
	"amz-sdk-invocation-id": "Amz-Sdk-Invocation-Id",
	"amz-sdk-request":       "Amz-Sdk-Request",
	"x-amz-user-agent":      "X-Amz-User-Agent",
	"user-agent":            "User-Agent",
	"accept-encoding":       "Accept-Encoding",
}

// canonicalKey is http.CanonicalHeaderKey(h), from knownKeys when it can.
func canonicalKey(h string) string {
	if k, ok := knownKeys[h]; ok {
		return k
	}
	return http.CanonicalHeaderKey(h)
}
