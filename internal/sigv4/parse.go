package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
)

const (
	algorithm   = "AWS4-HMAC-SHA256"
	terminator  = "aws4_request"
	amzDateForm = "20060102T150405Z"
	dateForm    = "20060102"
)

// signature is what a request claims: its credential, scope, signed headers,
// date and signature, from the Authorization header or the query string.
type signature struct {
	presigned     bool
	accessKeyID   string
	scope         Scope
	terminator    string
	signedHeaders []string
	signature     string
	date          time.Time
	rawDate       string
	sessionToken  string
	expires       time.Duration // presigned with X-Amz-Expires only (0: the skew window)
}

// parse extracts the claimed signature. It returns a NoSignature error when
// r carries neither an Authorization header nor X-Amz-Algorithm.
func parse(r *http.Request) (*signature, *Error) {
	authz := r.Header.Get("Authorization")
	var query url.Values // the JSON protocol's POSTs carry none: no map to parse
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	presigned := query.Has("X-Amz-Algorithm")
	// A second Authorization makes a request signed even when the first is
	// empty.
	signed := authz != "" || presigned || len(r.Header["Authorization"]) > 1
	if signed && repeated(r, query, presigned) {
		return nil, fail(Mismatch, msgMismatch)
	}
	switch {
	case !signed:
		return nil, fail(NoSignature, msgMissing)
	case authz != "" && presigned:
		return nil, fail(Incomplete, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	}
	if presigned {
		return parseQuery(query)
	}
	return parseHeader(r, authz)
}

// singleHeaders are the headers the verifier or the codecs read one value
// of. SigV4 canonicalises a repeated header as its values joined by
// commas, so a signer that signed one value never matches two: AWS answers
// SignatureDoesNotMatch. Refusing them here, before anything reads the
// first value, keeps what was verified the only thing a proxy or a log
// reading the last value could see. (Go's server refuses a second Host
// itself.)
var singleHeaders = []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "Content-Type", "X-Amz-Target"}

// signatureParams are the presigned URL's parameters; the canonical query
// string lists a repeated one twice, so it cannot match either.
var signatureParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}

// repeated reports a signed request carrying one of singleHeaders more
// than once, or one of signatureParams in its query more than once.
func repeated(r *http.Request, query url.Values, presigned bool) bool {
	for _, h := range singleHeaders {
		if len(r.Header[h]) > 1 {
			return true
		}
	}
	if presigned {
		for _, p := range signatureParams {
			if len(query[p]) > 1 {
				return true
			}
		}
	}
	return false
}

func parseHeader(r *http.Request, authz string) (*signature, *Error) {
	alg, rest, _ := strings.Cut(authz, " ")
	if alg != algorithm {
		// AWS names the algorithms it knows; anything else (Bearer, SigV4a,
		// SigV2) is an incomplete signature for this service.
		return nil, fail(Incomplete, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			params[k] = v
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	rawDate := r.Header.Get("X-Amz-Date")
	if rawDate == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, fail(Incomplete, strings.Join(missing, " "))
	}
	s := &signature{signature: params["Signature"], rawDate: rawDate, sessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := s.fill(params["Credential"], params["SignedHeaders"]); err != nil {
		return nil, err
	}
	return s, nil
}

func parseQuery(q url.Values) (*signature, *Error) {
	if q.Get("X-Amz-Algorithm") != algorithm {
		return nil, fail(Incomplete, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	var missing []string
	// X-Amz-Expires is S3's; other services accept presigned requests
	// without it inside the usual skew window (the Go SDK's presigned
	// GetCallerIdentity carries none). [inf] for STS's exact rule.
	for _, k := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(k) == "" {
			missing = append(missing, "AWS query-string parameters must include '"+k+"'.")
		}
	}
	if len(missing) > 0 {
		return nil, fail(Incomplete, strings.Join(missing, " ")+" Re-examine the query-string parameters.")
	}
	var secs time.Duration
	if q.Has("X-Amz-Expires") {
		var err error
		secs, err = time.ParseDuration(q.Get("X-Amz-Expires") + "s")
		if err != nil || secs <= 0 || secs > 7*24*time.Hour {
			return nil, fail(Incomplete, "X-Amz-Expires must be a number of seconds between 1 and 604800.")
		}
	}
	s := &signature{presigned: true, signature: q.Get("X-Amz-Signature"), rawDate: q.Get("X-Amz-Date"),
		sessionToken: q.Get("X-Amz-Security-Token"), expires: secs}
	if err := s.fill(q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders")); err != nil {
		return nil, err
	}
	return s, nil
}

// fill parses the credential, signed headers and date shared by both forms.
func (s *signature) fill(credential, signedHeaders string) *Error {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[0] == "" {
		return fail(Incomplete, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+apierr.Echo(credential)+"'")
	}
	s.accessKeyID = parts[0]
	s.scope = Scope{Date: parts[1], Region: parts[2], Service: parts[3]}
	s.terminator = parts[4]
	s.signedHeaders = strings.Split(signedHeaders, ";")
	t, err := time.Parse(amzDateForm, s.rawDate)
	if err != nil {
		return fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+apierr.Echo(s.rawDate)+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	s.date = t
	return nil
}
