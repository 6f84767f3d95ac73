package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
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
	amzDate := sig.date.UTC().Format(amzDateForm)

	// The signer always signs host and x-amz-date, and content-length only
	// when it is listed and positive.
	names := make([]string, 0, len(sig.signedHeaders)+2)
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

	var b strings.Builder
	b.Grow(256 + len(body)/8)
	b.WriteString(r.Method)
	b.WriteString("\n/\n\n")
	for _, h := range names {
		b.WriteString(h)
		b.WriteByte(':')
		switch h {
		case "host":
			b.WriteString(stripExcessSpaces(host))
		case "x-amz-date":
			b.WriteString(amzDate)
		case "content-length":
			b.WriteString(strconv.FormatInt(length, 10))
		default:
			for i, v := range r.Header.Values(h) {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strings.TrimSpace(stripExcessSpaces(v)))
			}
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for i, h := range names {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(h)
	}
	b.WriteByte('\n')
	payload := sha256.Sum256(body)
	b.WriteString(hex.EncodeToString(payload[:]))
	canonical := sha256.Sum256([]byte(b.String()))

	scope := sig.date.UTC().Format(dateForm) + "/" + sig.scope.Region + "/" + sig.scope.Service + "/" + terminator
	toSign := algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(canonical[:])
	key := hmacSHA256([]byte("AWS4"+secret), sig.date.UTC().Format(dateForm))
	key = hmacSHA256(key, sig.scope.Region)
	key = hmacSHA256(key, sig.scope.Service)
	key = hmacSHA256(key, terminator)
	return hex.EncodeToString(hmacSHA256(key, toSign)), true
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
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
