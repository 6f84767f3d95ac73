package logins

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// oauth1Keys are the credentials of an OAuth 1.0a request.
type oauth1Keys struct {
	ConsumerKey, ConsumerSecret, Token, TokenSecret string
}

// oauth1Header returns the Authorization header of an HMAC-SHA1 signed
// OAuth 1.0a request (RFC 5849 §3.4) for method and rawURL with extra
// parameters params (query or form).
func oauth1Header(method, rawURL string, params url.Values, k oauth1Keys, nonce string, ts int64) string {
	oauth := map[string]string{
		"oauth_consumer_key":     k.ConsumerKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(ts, 10),
		"oauth_token":            k.Token,
		"oauth_version":          "1.0",
	}
	base, _, _ := strings.Cut(rawURL, "?")
	var pairs []string
	for key, vals := range params {
		for _, v := range vals {
			pairs = append(pairs, pct(key)+"="+pct(v))
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		for key, vals := range u.Query() {
			for _, v := range vals {
				pairs = append(pairs, pct(key)+"="+pct(v))
			}
		}
	}
	for key, v := range oauth {
		pairs = append(pairs, pct(key)+"="+pct(v))
	}
	sort.Strings(pairs)
	baseString := strings.ToUpper(method) + "&" + pct(base) + "&" + pct(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(pct(k.ConsumerSecret)+"&"+pct(k.TokenSecret)))
	mac.Write([]byte(baseString))
	oauth["oauth_signature"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))

	keys := make([]string, 0, len(oauth))
	for key := range oauth {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, key := range keys {
		parts[i] = pct(key) + `="` + pct(oauth[key]) + `"`
	}
	return "OAuth " + strings.Join(parts, ", ")
}

// pct is RFC 3986 percent-encoding (only unreserved characters kept), as
// OAuth 1.0a requires.
func pct(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

func oauthNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
