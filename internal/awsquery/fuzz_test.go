package awsquery_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/fuzzstack"
	"github.com/idpool/idpool/internal/identity"
)

// queryStack is the server's Query front end over the embedded STS and IAM
// on a SQLite file, and an idpool OpenID token for AssumeRoleWithWebIdentity.
func queryStack(tb testing.TB) (http.Handler, string) {
	st := fuzzstack.New(tb)
	const poolID = "us-east-1:11111111-2222-3333-4444-555555555555"
	webToken, err := st.Tokens.Issue(context.Background(), identity.TokenRequest{PoolID: poolID,
		PoolARN:    "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + poolID,
		IdentityID: "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", AMR: []string{"unauthenticated"}, TTL: 15 * time.Minute})
	if err != nil {
		tb.Fatal(err)
	}
	return st.Handler, webToken
}

// queryError is AWS's Query error document.
type queryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type, Code, Message string
	} `xml:"Error"`
}

// FuzzForm drives the Query front end with any form, as a POST body or a
// GET query string, unsigned or signed for STS or IAM as the dev account.
// Every answer to a Query request is XML: a 200, or an ErrorResponse with a
// Query error code whose status is a 4xx and the code's, never
// InternalFailure or a 5xx. A GET with no Action is not a Query request (the
// router sends it to the JSON side, which never answers GET with success);
// it must still get a 4xx.
func FuzzForm(f *testing.F) {
	h, webToken := queryStack(f)
	role := "arn:aws:iam::000000000000:role/r"
	for _, s := range []struct {
		form   string
		signAs uint8
	}{
		{"Action=GetCallerIdentity&Version=2011-06-15", 1},
		{"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + url.QueryEscape(role) + "&RoleSessionName=sess&WebIdentityToken=" + webToken, 0},
		{"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + url.QueryEscape(role) + "&RoleSessionName=sess&DurationSeconds=99999999999999999999&WebIdentityToken=a.b.c", 0},
		{"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=" + url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"x"}}}]}`), 2},
		{"Action=ListRoles&Version=2010-05-08&MaxItems=1&Marker=zz", 2},
		{"Action=CreateOpenIDConnectProvider&Version=2010-05-08&Url=https%3A%2F%2Fidp.example.com&ClientIDList.member.1=c&ThumbprintList.member.1=" + strings.Repeat("a", 40), 2},
		{"Action=CreateSAMLProvider&Version=2010-05-08&Name=corp&SAMLMetadataDocument=%3Cx%2F%3E", 2},
		{"Action=TagRole&RoleName=r&Tags.member.1.Key=k&Tags.member.1.Value=v", 2},
		{"Action=GetCallerIdentity", 2},
		{"%zz", 0},
		{"Action", 1},
		{"", 0},
	} {
		f.Add([]byte(s.form), s.signAs, false)
	}
	f.Add([]byte("Action=GetCallerIdentity&Version=2011-06-15"), uint8(1), true)
	for _, form := range []string{"Action=GetCallerIdentity&Version=2011-06-15",
		"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + url.QueryEscape(role) + "&RoleSessionName=sess&WebIdentityToken=" + webToken} {
		if w := serveForm(f, h, []byte(form), 1, false); w.Code != 200 {
			f.Fatalf("seed %s: %d %s", form, w.Code, w.Body)
		}
	}
	f.Fuzz(func(t *testing.T, form []byte, signAs uint8, get bool) {
		w := serveForm(t, h, form, signAs, get)
		if w.Code >= 500 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if get {
			if q, _ := url.ParseQuery(string(form)); !q.Has("Action") {
				if w.Code < 400 {
					t.Fatalf("GET without Action: status %d: %s", w.Code, w.Body)
				}
				return
			}
		}
		if w.Code == 200 {
			if err := xml.Unmarshal(w.Body.Bytes(), new(struct{})); err != nil {
				t.Fatalf("200 with a body that is not XML: %v\n%s", err, w.Body)
			}
			return
		}
		var e queryError
		if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
			t.Fatalf("error %d is not an ErrorResponse (%v): %s", w.Code, err, w.Body)
		}
		if e.Error.Code == apierr.QueryInternalFailure || apierr.QueryStatusOf(e.Error.Code) != w.Code || e.Error.Type != "Sender" {
			t.Fatalf("error %s (%s) with status %d", e.Error.Code, e.Error.Type, w.Code)
		}
	})
}

// serveForm serves form as a POST body (or GET query), signed for service
// signAs%3 (none, sts, iam) as the dev account.
func serveForm(tb testing.TB, h http.Handler, form []byte, signAs uint8, get bool) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9350/", bytes.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	payload := form
	if get {
		r = httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9350/", nil)
		r.URL.RawQuery = string(form)
		payload = nil
	}
	if service := [...]string{"", "sts", "iam"}[signAs%3]; service != "" {
		sum := sha256.Sum256(payload)
		creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, "us-east-1", fuzzstack.Now()); err != nil {
			tb.Skip("the signer refuses this request:", err)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
