package hostile

import (
	"fmt"
	"net/http"
	"strings"
)

// maxBody is the server's documented request body cap (README: 1 MiB).
const maxBody = 1 << 20

// maxHeader is the server's header cap (64 KiB); Go's server allows 4 KiB
// of slack beyond it before answering 431.
const maxHeader = 64 << 10

// protocolStatus are the answers RFC 9112 requires for a transfer coding or
// HTTP version the server does not implement (Go's server sends them before
// any handler runs). They are the only 5xx a case may get.
var protocolStatus = []int{http.StatusNotImplemented, http.StatusHTTPVersionNotSupported}

// httpCases: targets, content types, methods, paths, sizes and smuggling.
func httpCases(addr string) []hcase {
	bad := http.StatusBadRequest
	host := "Host: " + addr
	ct := "Content-Type: application/x-amz-json-1.1"
	post := func(target string, extra ...string) []byte {
		h := append([]string{host, ct, "Content-Length: 2"}, extra...)
		if target != "" {
			h = append(h, "X-Amz-Target: "+target)
		}
		return rawReq("POST / HTTP/1.1", h, "{}")
	}
	var cases []hcase
	add := func(name string, raw []byte, typ string, closes bool, status ...int) {
		cases = append(cases, hcase{name: name, raw: raw, status: status, typ: typ, closes: closes})
	}

	// X-Amz-Target: missing, empty, unknown, malformed.
	for _, tg := range []string{"", "AWSCognitoIdentityService.", "AWSCognitoIdentityService.NoSuchOperation",
		"AWSCognitoIdentityService.getid", "AWSCognitoIdentityService.GetId.GetId", "CognitoIdentity.GetId",
		"GetId", ".GetId", "AWSCognitoIdentityService..GetId",
		"AWSCognitoIdentityService.%47etId", "AWSSecurityTokenServiceV20110615.GetCallerIdentity",
		"AWSCognitoIdentityService." + strings.Repeat("A", 8000), "AWSCognitoIdentityService.GetÍd"} {
		add("target "+trim(fmt.Sprintf("%q", tg)), post(tg), unknownOp, false, bad)
	}
	// Header values lose surrounding whitespace (RFC 9110 §5.5): the
	// operation runs, and refuses the empty input.
	add("target with trailing space", post("AWSCognitoIdentityService.GetId "), validation, false, bad)
	add("target with DEL", post("AWSCognitoIdentityService.GetId\x7f"), "", true, bad)
	// Unsupported content types get the JSON protocol's unknown operation.
	for _, c := range []string{"text/plain", "application/xml", "multipart/form-data; boundary=x", ";;;", "application/x-amz-json-1.1; charset=\"unterminated"} {
		raw := rawReq("POST / HTTP/1.1", []string{host, "Content-Type: " + c, "X-Amz-Target: " + target("GetId"), "Content-Length: 2"}, "{}")
		add("content-type "+c, raw, unknownOp, false, bad)
	}
	// Methods other than POST on the API root.
	for _, m := range []string{"GET", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO"} {
		raw := rawReq(m+" / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("ListIdentityPools"), "Content-Length: 2"}, "{}")
		add("method "+m, raw, unknownOp, false, bad)
	}
	// Paths: traversal, encodings, absolute form; none may reach a file or
	// the reset endpoint by a detour.
	for _, p := range []string{"/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "//etc/passwd",
		"/.well-known/../_idpool/reset", "/%2F_idpool%2Freset", "/_idpool/reset/../../", "/%00", "/a%ZZb",
		"/" + strings.Repeat("a/", 2000), "/healthz/../_idpool/reset", "/\\..\\..\\windows\\win.ini"} {
		raw := rawReq("POST "+p+" HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("ListIdentityPools"), "Content-Length: 2"}, "{}")
		add("path "+trim(p), raw, "", false, bad, http.StatusNotFound, http.StatusMovedPermanently)
	}
	add("absolute-form URI", rawReq("POST http://evil.example/ HTTP/1.1", []string{"Host: evil.example", ct, "X-Amz-Target: " + target("ListIdentityPools"), "Content-Length: 2"}, "{}"), missingAuth, false, http.StatusForbidden)
	add("reset by GET", rawReq("GET /_idpool/reset HTTP/1.1", []string{host}, ""), "", false, http.StatusMethodNotAllowed)
	add("reset by PUT", rawReq("PUT /_idpool/reset HTTP/1.1", []string{host, "Content-Length: 0"}, ""), "", false, http.StatusMethodNotAllowed)
	add("asterisk URI", rawReq("POST * HTTP/1.1", []string{host, "Content-Length: 0"}, ""), "", false, bad)
	add("CONNECT", rawReq("CONNECT 127.0.0.1:22 HTTP/1.1", []string{"Host: 127.0.0.1:22"}, ""), "", false, bad, http.StatusMethodNotAllowed)

	// Sizes: bodies over the 1 MiB cap, declared, undeclared and chunked.
	big := `{"IdentityPoolName":"` + strings.Repeat("a", maxBody) + `","AllowUnauthenticatedIdentities":true}`
	add("body over cap (signed)", jsonRequest(addr, "CreateIdentityPool", big), validation, false, bad, http.StatusRequestEntityTooLarge)
	cases[len(cases)-1].contains = "at most 1048576 bytes"
	// Just under the cap the body is read and validated: the refusal is
	// about the over-long name, so the cap sits where it is documented.
	under := `{"IdentityPoolName":"` + strings.Repeat("a", maxBody-100) + `","AllowUnauthenticatedIdentities":true}`
	add("body just under cap", jsonRequest(addr, "CreateIdentityPool", under), validation, false, bad)
	cases[len(cases)-1].contains = "at 'identityPoolName' failed to satisfy constraint: Member must have length less than or equal to 128"
	add("body over cap (unsigned op)", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("GetId"), fmt.Sprintf("Content-Length: %d", len(big))}, big), validation, false, bad, http.StatusRequestEntityTooLarge)
	add("body over cap, chunked", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("GetId"), "Transfer-Encoding: chunked"}, chunked(big, 64<<10)), validation, false, bad, http.StatusRequestEntityTooLarge)
	add("body 8 MiB declared, 1 MiB+ sent", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("GetId"), "Content-Length: 8388608"}, big), validation, false, bad, http.StatusRequestEntityTooLarge)
	add("Content-Length 2^63", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("GetId"), "Content-Length: 9223372036854775808"}, "{}"), "", true, bad)
	add("Content-Length negative", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("GetId"), "Content-Length: -1"}, "{}"), "", true, bad)
	add("Content-Length hex", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("GetId"), "Content-Length: 0x2"}, "{}"), "", true, bad)
	// Headers: over the 64 KiB cap in one header, in many, in the request line.
	// Just under the header cap the request is served (the operation then
	// refuses the signature-less call as it would any other).
	add("headers just under cap", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: " + target("ListIdentityPools"), "X-Pad: " + strings.Repeat("p", maxHeader-1024), "Content-Length: 2"}, "{}"), missingAuth, false, http.StatusForbidden)
	add("one header over cap", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Pad: " + strings.Repeat("p", maxHeader+8<<10), "Content-Length: 2"}, "{}"), "", true, http.StatusRequestHeaderFieldsTooLarge)
	many := []string{host, ct}
	for i := range 4000 {
		many = append(many, fmt.Sprintf("X-H%d: %s", i, strings.Repeat("v", 16)))
	}
	add("4000 headers", rawReq("POST / HTTP/1.1", append(many, "Content-Length: 2"), "{}"), "", true, http.StatusRequestHeaderFieldsTooLarge)
	add("request line over cap", rawReq("GET /healthz?"+strings.Repeat("q", maxHeader+8<<10)+" HTTP/1.1", []string{host}, ""), "", true, http.StatusRequestHeaderFieldsTooLarge)
	add("security token over cap", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Security-Token: " + strings.Repeat("t", maxHeader+8<<10), "Content-Length: 2"}, "{}"), "", true, http.StatusRequestHeaderFieldsTooLarge)

	// Smuggling: Go's server must refuse ambiguous framing with 400 and close.
	tg := "X-Amz-Target: " + target("GetId")
	add("CL and TE both", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Content-Length: 4", "Transfer-Encoding: chunked"}, "0\r\n\r\n"), validation, true, bad)
	add("duplicate Content-Length differing", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Content-Length: 2", "Content-Length: 40"}, "{}"), "", true, bad)
	add("Content-Length list", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Content-Length: 2, 40"}, "{}"), "", true, bad)
	add("TE chunked twice", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}, "0\r\n\r\n"), "", true, append([]int{bad}, protocolStatus...)...)
	add("TE gzip, chunked", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: gzip, chunked"}, "0\r\n\r\n"), "", true, append([]int{bad}, protocolStatus...)...)
	add("TE identity", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: identity", "Content-Length: 2"}, "{}"), "", true, append([]int{bad}, protocolStatus...)...)
	add("TE xchunked", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: xchunked"}, "0\r\n\r\n"), "", true, append([]int{bad}, protocolStatus...)...)
	add("TE with space before colon", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding : chunked", "Content-Length: 2"}, "{}"), "", true, bad)
	add("TE on HTTP/1.0", rawReq("POST / HTTP/1.0", []string{host, ct, tg, "Transfer-Encoding: chunked", "Content-Length: 5"}, "0\r\n\r\n"), "", true, bad, http.StatusForbidden, http.StatusOK)
	// Go unfolds obs-fold into one value (RFC 9112 §5.2 allows replacing it
	// with a space): the folded line is never read as a header of its own.
	add("obs-fold header", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: AWSCognitoIdentityService.", " GetId", "Content-Length: 2"}, "{}"), unknownOp, false, bad)
	add("obs-fold smuggles no header", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "X-Pad: a", " X-Amz-Target: AWSCognitoIdentityService.ListIdentityPools", "Content-Length: 2"}, "{}"), validation, false, bad)
	add("CR inside header value", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: AWSCognitoIdentityService.GetId\rX-Injected: 1", "Content-Length: 2"}, "{}"), "", true, bad)
	add("NUL inside header value", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target: AWSCognitoIdentityService.GetId\x00", "Content-Length: 2"}, "{}"), "", true, bad)
	add("space in header name", rawReq("POST / HTTP/1.1", []string{host, ct, "X Amz-Target: x", "Content-Length: 2"}, "{}"), "", true, bad)
	add("header without colon", rawReq("POST / HTTP/1.1", []string{host, ct, "X-Amz-Target", "Content-Length: 2"}, "{}"), "", true, bad)
	add("missing Host", rawReq("POST / HTTP/1.1", []string{ct, tg, "Content-Length: 2"}, "{}"), "", true, bad)
	add("two Host headers", rawReq("POST / HTTP/1.1", []string{host, "Host: evil.example", ct, tg, "Content-Length: 2"}, "{}"), "", true, bad)
	add("Host with CRLF smuggle", rawReq("POST / HTTP/1.1", []string{"Host: a\rb", ct, tg, "Content-Length: 2"}, "{}"), "", true, bad)
	add("bad chunk size", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: chunked"}, "zz\r\n{}\r\n0\r\n\r\n"), serialization, false, bad)
	add("chunk size overflow", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: chunked"}, "ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), serialization, false, bad)
	add("chunk extension flood", rawReq("POST / HTTP/1.1", []string{host, ct, tg, "Transfer-Encoding: chunked"}, "2;"+strings.Repeat("x=y;", 5000)+"\r\n{}\r\n0\r\n\r\n"), serialization, false, bad)
	add("HTTP/9.9", rawReq("POST / HTTP/9.9", []string{host, ct, tg, "Content-Length: 2"}, "{}"), "", true, append([]int{bad}, protocolStatus...)...)
	add("HTTP/1.1x", rawReq("POST / HTTP/1.1x", []string{host, ct, tg, "Content-Length: 2"}, "{}"), "", true, bad)
	add("lowercase http version", rawReq("POST / http/1.1", []string{host, ct, tg, "Content-Length: 2"}, "{}"), "", true, bad)
	add("garbage request line", []byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n"), "", true, bad)
	add("request line only spaces", rawReq("    ", []string{host}, ""), "", true, bad)
	add("HTTP/2 preface on HTTP/1", []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "", true, bad, protocolStatus[1])
	return cases
}

// chunked encodes body in chunks of n bytes.
func chunked(body string, n int) string {
	var b strings.Builder
	for len(body) > 0 {
		k := min(n, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", k, body[:k])
		body = body[k:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}
