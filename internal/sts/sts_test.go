package sts_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/iamquery"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/sigv4"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/storage/sqlite"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/stsquery"
	"github.com/idpool/idpool/internal/wire"
)

const (
	issuer  = "http://idpool.test:9350"
	account = "000000000000"
	pool    = "us-east-1:11111111-2222-3333-4444-555555555555"
	ident   = "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	store  storage.Store
	sts    *sts.Service
	url    string
	clock  *clock // the STS's clock (sessions, token expiry); signatures use real time
	tokens *testTokens
}

func openStore(t testing.TB) storage.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "idpool.db"), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func setup(t *testing.T, dev bool) *env {
	t.Helper()
	return setupOn(t, openStore(t), dev, nil)
}

// setupOn starts an STS and IAM over store; a nil tokens gets a fresh issuer.
func setupOn(t *testing.T, store storage.Store, dev bool, tokens *testTokens) *env {
	t.Helper()
	clk := &clock{t: time.Now()}
	if tokens == nil {
		tokens = newTestTokens(t, issuer, clk.Now)
	}
	svc, err := sts.New(context.Background(), sts.Config{Store: store, Tokens: tokens, Issuer: issuer, DevTrustUnknownRoles: dev, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	iamSvc, err := iamquery.New(iamquery.Config{Store: store, Issuer: issuer})
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.Chain{auth.NewStatic([]auth.Account{{ID: account, Keys: map[string]string{"test": "test"}}}), svc.Keyring()}
	h := wire.New(wire.Config{QueryServices: []awsquery.Service{stsquery.New(svc, store), iamSvc}, Verifier: &sigv4.Verifier{Keyring: keys}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{store: store, sts: svc, url: srv.URL, clock: clk, tokens: tokens}
}

func (e *env) stsClient(creds aws.CredentialsProvider) *awssts.Client {
	if creds == nil {
		creds = aws.AnonymousCredentials{}
	}
	return awssts.New(awssts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds})
}

func (e *env) createRole(t *testing.T, name, trust string) {
	t.Helper()
	c := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := c.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
}

func roleARN(name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func trustPolicy(amr string, actions ...string) string {
	if len(actions) == 0 {
		actions = []string{"sts:AssumeRoleWithWebIdentity"}
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},
"Action":["` + strings.Join(actions, `","`) + `"],"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},
"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"` + amr + `"}}}]}`
}

func (e *env) assume(role, token string) (*awssts.AssumeRoleWithWebIdentityOutput, error) {
	return e.stsClient(nil).AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN(role)), RoleSessionName: aws.String("app-user"), WebIdentityToken: aws.String(token),
	})
}

func codeOf(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return ae.ErrorCode()
}

func statusOf(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestAssumeAndCallerIdentity(t *testing.T) {
	e := setup(t, false)
	e.createRole(t, "Cognito_Auth", trustPolicy("authenticated"))
	tok := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated", "accounts.example.com"}})
	out, err := e.assume("Cognito_Auth", tok)
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if id := aws.ToString(c.AccessKeyId); len(id) != 20 || !strings.HasPrefix(id, "ASIA") {
		t.Errorf("AccessKeyId = %s", id)
	}
	if len(aws.ToString(c.SecretAccessKey)) != 40 || aws.ToString(c.SessionToken) == "" {
		t.Error("secret or token missing")
	}
	if d := time.Until(aws.ToTime(c.Expiration)); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("Expiration in %v, want 1h", d)
	}
	wantARN := "arn:aws:sts::" + account + ":assumed-role/Cognito_Auth/app-user"
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
		t.Errorf("Arn = %s", got)
	}
	if id := aws.ToString(out.AssumedRoleUser.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":app-user") {
		t.Errorf("AssumedRoleId = %s", id)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != ident || aws.ToString(out.Audience) != pool || aws.ToString(out.Provider) != "cognito-identity.amazonaws.com" {
		t.Errorf("subject/audience/provider = %s %s %s", aws.ToString(out.SubjectFromWebIdentityToken), aws.ToString(out.Audience), aws.ToString(out.Provider))
	}

	// The vended credentials sign a real SDK call.
	vended := credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	who, err := e.stsClient(vended).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != wantARN || aws.ToString(who.Account) != account || aws.ToString(who.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(who.Arn), aws.ToString(who.Account), aws.ToString(who.UserId))
	}
	// Account keys too.
	root, err := e.stsClient(credentials.NewStaticCredentialsProvider("test", "test", "")).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(root.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("root caller: %v %v", err, root)
	}
	// Sessions may not manage IAM.
	ic := awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: vended})
	if _, err := ic.ListRoles(context.Background(), &awsiam.ListRolesInput{}); codeOf(t, err) != "AccessDenied" {
		t.Fatalf("session ListRoles: %v", err)
	}

	// A tampered session token, or the token of another key, is refused.
	tampered := []byte(aws.ToString(c.SessionToken))
	tampered[len(tampered)/2] ^= 1
	for _, p := range []aws.CredentialsProvider{
		credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), string(tampered)),
		credentials.NewStaticCredentialsProvider("ASIAAAAAAAAAAAAAAAAA", aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)),
		credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), "wrong-secret", aws.ToString(c.SessionToken)),
	} {
		_, err := e.stsClient(p).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
		if code := codeOf(t, err); code != "InvalidClientTokenId" && code != "SignatureDoesNotMatch" {
			t.Errorf("forged credentials: %v", err)
		}
	}

	// The credentials work until their Expiration second and stop there.
	e.clock.Add(time.Hour - time.Second)
	if _, err := e.stsClient(vended).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("credentials a second before Expiration: %v", err)
	}
	e.clock.Add(time.Second)
	_, err = e.stsClient(vended).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if codeOf(t, err) != "ExpiredToken" || statusOf(err) != 403 {
		t.Fatalf("expired credentials: %v", err)
	}
}

func TestTrustPolicyRefusals(t *testing.T) {
	e := setup(t, false)
	e.createRole(t, "Auth", trustPolicy("authenticated"))
	e.createRole(t, "Guest", trustPolicy("unauthenticated"))
	e.createRole(t, "Tagged", trustPolicy("authenticated", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"))
	authTok := func(aud string, tags map[string]string) string {
		return e.tokens.issue(t, tokenSpec{aud: aud, sub: ident, amr: []string{"authenticated", "accounts.example.com"}, tags: tags})
	}
	guestTok := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}})
	tags := map[string]string{"team": "blue"}
	cases := []struct {
		name, role, token, code string
	}{
		{"other pool (aud condition)", "Auth", authTok("us-east-1:99999999-2222-3333-4444-555555555555", nil), "AccessDenied"},
		{"guest on authenticated role (amr condition)", "Auth", guestTok, "AccessDenied"},
		{"authenticated on guest role", "Guest", authTok(pool, nil), "AccessDenied"},
		{"unknown role", "Nope", authTok(pool, nil), "AccessDenied"},
		{"session tags without sts:TagSession", "Auth", authTok(pool, tags), "AccessDenied"},
		{"guest allowed", "Guest", guestTok, ""},
		{"session tags with sts:TagSession", "Tagged", authTok(pool, tags), ""},
		{"expired token", "Auth", e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated"}, ttl: -time.Minute}), "ExpiredTokenException"},
		{"other issuer", "Auth", e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, issuer: "https://evil.example.com"}), "InvalidIdentityToken"},
		{"tampered signature", "Auth", tamper(authTok(pool, nil)), "InvalidIdentityToken"},
		{"not a JWT", "Auth", "not-a-jwt", "InvalidIdentityToken"},
		{"token of another key", "Auth", newTestTokens(t, issuer, e.clock.Now).issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated"}}), "InvalidIdentityToken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.assume(c.role, c.token)
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := codeOf(t, err); got != c.code {
				t.Fatalf("code %s (%v), want %s", got, err, c.code)
			}
			if c.code == "AccessDenied" {
				var ae smithy.APIError
				errors.As(err, &ae)
				if ae.ErrorMessage() != "Not authorized to perform sts:AssumeRoleWithWebIdentity" || statusOf(err) != 403 {
					t.Fatalf("message %q status %d", ae.ErrorMessage(), statusOf(err))
				}
			}
		})
	}
}

func TestSessionTagsReachThePrincipal(t *testing.T) {
	e := setup(t, false)
	e.createRole(t, "Tagged", trustPolicy("authenticated", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"))
	tok := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated"}, tags: map[string]string{"team": "blue"}})
	out, err := e.assume("Tagged", tok)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := e.sts.Keyring().Lookup(context.Background(), aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SessionToken))
	if err != nil {
		t.Fatal(err)
	}
	if p.Session == nil || p.Session.Tags["team"] != "blue" || p.Session.Subject != ident || p.Session.Audience != pool || p.Session.RoleName != "Tagged" {
		t.Fatalf("session = %+v", p.Session)
	}
}

func TestValidation(t *testing.T) {
	e := setup(t, false)
	post := func(form url.Values) (int, string) {
		resp, err := http.PostForm(e.url, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}})
	want := "<Code>ValidationError</Code><Message>3 validation errors detected: Value null at &#39;roleArn&#39; failed to satisfy constraint: Member must not be null; " +
		"Value null at &#39;roleSessionName&#39; failed to satisfy constraint: Member must not be null; Value null at &#39;webIdentityToken&#39; failed to satisfy constraint: Member must not be null</Message>"
	if status != 400 || !strings.Contains(body, want) || !strings.Contains(body, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`) {
		t.Fatalf("missing params: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {roleARN("x")},
		"RoleSessionName": {"bad name!"}, "WebIdentityToken": {"abcd"}, "DurationSeconds": {"100"}})
	if status != 400 || !strings.Contains(body, "2 validation errors detected: Value &#39;bad name!&#39; at &#39;roleSessionName&#39; failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; "+
		"Value &#39;100&#39; at &#39;durationSeconds&#39; failed to satisfy constraint: Member must have value greater than or equal to 900") {
		t.Fatalf("bad params: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"Frobnicate"}, "Version": {"2011-06-15"}})
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code><Message>Could not find operation Frobnicate for version 2011-06-15</Message>") {
		t.Fatalf("unknown action: %d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	if status != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Fatalf("unsigned GetCallerIdentity: %d %s", status, body)
	}
	resp, err := http.Post(e.url, "application/x-www-form-urlencoded", strings.NewReader("%zz&&=;"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("garbage form: %d", resp.StatusCode)
	}
	resp, err = http.Post(e.url, "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&x="+strings.Repeat("a", 2<<20)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("huge body: %d", resp.StatusCode)
	}

	// Role's MaxSessionDuration bounds DurationSeconds.
	e.createRole(t, "Auth", trustPolicy("authenticated"))
	tok := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated"}})
	_, err = e.stsClient(nil).AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN("Auth")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok), DurationSeconds: aws.Int32(7200),
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." {
		t.Fatalf("duration over role max: %v", err)
	}
}

func TestDevModeTrustsUnknownRoles(t *testing.T) {
	e := setup(t, true)
	tok := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}})
	out1, err := e.assume("NotCreated", tok)
	if err != nil {
		t.Fatal(err)
	}
	out2, err := e.assume("NotCreated", tok)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out1.AssumedRoleUser.AssumedRoleId) != aws.ToString(out2.AssumedRoleUser.AssumedRoleId) {
		t.Error("a dev-mode role's id must be stable")
	}
	// A role that exists is still checked against its trust policy.
	e.createRole(t, "Auth", trustPolicy("authenticated"))
	if _, err := e.assume("Auth", tok); codeOf(t, err) != "AccessDenied" {
		t.Fatalf("existing role in dev mode: %v", err)
	}
}

func TestCredentialVendorAndSharedKey(t *testing.T) {
	store := openStore(t)
	a := setupOn(t, store, false, nil)
	b := setupOn(t, store, false, a.tokens) // a second node on the same store
	a.createRole(t, "Auth", trustPolicy("authenticated"))
	tok := a.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated"}})
	var vendor identity.CredentialVendor = a.sts
	// In process, the caller passes the role's record as it read it.
	var role *iam.Role
	if err := store.View(context.Background(), func(r storage.Reader) (err error) {
		role, err = iam.RoleByARN(r, roleARN("Auth"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	creds, err := vendor.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{AccountID: account, RoleARN: roleARN("Auth"), WebIdentityToken: tok, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	// Node b verifies what node a vended.
	p := credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	who, err := b.stsClient(p).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != "arn:aws:sts::"+account+":assumed-role/Auth/CognitoIdentityCredentials" {
		t.Fatalf("Arn = %s", aws.ToString(who.Arn))
	}
	// The same checks as over HTTP.
	guest := a.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}})
	if _, err := vendor.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{RoleARN: roleARN("Auth"), WebIdentityToken: guest, Role: role}); err == nil {
		t.Fatal("vendor ignored the trust policy")
	}
	// Without the record (IAM has no such role) a server outside
	// development mode refuses.
	if _, err := vendor.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{RoleARN: roleARN("Auth"), WebIdentityToken: tok}); err == nil {
		t.Fatal("vendor assumed a role without its IAM record")
	}
}

func TestExternalVendor(t *testing.T) {
	e := setup(t, false)
	e.createRole(t, "Auth", trustPolicy("authenticated"))
	ext, err := sts.NewExternal(sts.ExternalConfig{Endpoint: e.url, Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	tok := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"authenticated"}})
	creds, err := ext.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{RoleARN: roleARN("Auth"), WebIdentityToken: tok, Duration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || time.Until(creds.Expiration) > 16*time.Minute {
		t.Fatalf("creds = %s %v", creds.AccessKeyID, creds.Expiration)
	}
	guest := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}})
	_, err = ext.AssumeRoleWithWebIdentity(context.Background(), identity.AssumeRequest{RoleARN: roleARN("Auth"), WebIdentityToken: guest})
	var ae interface{ Error() string }
	if err == nil || !errors.As(err, &ae) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("external refusal: %v", err)
	}
}

// tamper flips a character in the middle of a JWT's signature.
func tamper(tok string) string {
	i := strings.LastIndex(tok, ".") + (len(tok)-strings.LastIndex(tok, "."))/2
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// putRole stores a role directly, as an older idpool (before IAM refused
// aud-less Cognito trust policies) or another account's IAM would have.
func (e *env) putRole(t *testing.T, acct, name, trust string) string {
	t.Helper()
	r := &iam.Role{AccountID: acct, RoleName: name, RoleID: iam.UniqueID("AROA", 21), Path: "/",
		MaxSessionDuration: iam.DefaultMaxSessionDuration, CreateDate: time.Now().UTC(), AssumeRolePolicyDocument: trust}
	res, err := r.Resource()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Update(context.Background(), func(tx storage.Tx) error { return tx.CreateResource(res) }); err != nil {
		t.Fatal(err)
	}
	return r.ARN()
}

func (e *env) assumeARN(arn, token string) (*awssts.AssumeRoleWithWebIdentityOutput, error) {
	return e.stsClient(nil).AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(arn), RoleSessionName: aws.String("app-user"), WebIdentityToken: aws.String(token),
	})
}

// TestCrossAccountNeedsAud: a token of account B's pool assumes a role of
// account A only through a statement that restricts aud (issue 15).
func TestCrossAccountNeedsAud(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	e := setup(t, false)
	loose := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	star := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"}]}`
	host := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"idpool.test:9350"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"idpool.test:9350:amr":"*"}}}]}`
	looseARN := e.putRole(t, a, "loose", loose)
	starARN := e.putRole(t, a, "star", star)
	hostARN := e.putRole(t, a, "host", host)
	strictARN := e.putRole(t, a, "strict", trustPolicy("unauthenticated"))
	hostAudARN := e.putRole(t, a, "hostaud", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"idpool.test:9350"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"idpool.test:9350:aud":"`+pool+`"}}}]}`)

	fromB := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}, poolAccount: b})
	noARN := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}, poolAccount: "-"})
	fromA := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}, poolAccount: a})
	for _, arn := range []string{looseARN, starARN, hostARN} {
		for name, tok := range map[string]string{"account B's pool": fromB, "a token without pool ARN": noARN} {
			if _, err := e.assumeARN(arn, tok); codeOf(t, err) != "AccessDenied" {
				t.Errorf("%s assumed %s: %v", name, arn, err)
			}
		}
		// The role's own account keeps what its trust policy says.
		if _, err := e.assumeARN(arn, fromA); err != nil {
			t.Errorf("account A's pool and %s: %v", arn, err)
		}
	}
	for _, arn := range []string{strictARN, hostAudARN} {
		out, err := e.assumeARN(arn, fromB)
		if err != nil {
			t.Fatalf("cross-account with aud condition %s: %v", arn, err)
		}
		if got := aws.ToString(out.AssumedRoleUser.Arn); !strings.HasPrefix(got, "arn:aws:sts::"+a+":assumed-role/") {
			t.Errorf("assumed %s", got)
		}
	}
}

// TestDevTrustStaysInAccount: development mode's "unknown role ARN is
// trusted" rule applies only to a pool's own account (issue 15).
func TestDevTrustStaysInAccount(t *testing.T) {
	e := setup(t, true)
	own := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}})
	if _, err := e.assumeARN("arn:aws:iam::"+account+":role/NotCreated", own); err != nil {
		t.Fatalf("own account: %v", err)
	}
	if _, err := e.assumeARN("arn:aws:iam::123456789012:role/NotCreated", own); codeOf(t, err) != "AccessDenied" {
		t.Fatalf("another account's unknown role: %v", err)
	}
	noARN := e.tokens.issue(t, tokenSpec{aud: pool, sub: ident, amr: []string{"unauthenticated"}, poolAccount: "-"})
	if _, err := e.assumeARN("arn:aws:iam::"+account+":role/NotCreated", noARN); codeOf(t, err) != "AccessDenied" {
		t.Fatalf("a token that names no pool account: %v", err)
	}
}
