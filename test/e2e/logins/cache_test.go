package logins

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// TestVerifiedLoginCache drives the cache of verified login tokens through
// a running server: the same OIDC token sent again to GetId, GetOpenIdToken
// and GetCredentialsForIdentity is not verified again
// (idpool_login_signatures_total{outcome="cached"}); the provider rotating
// its key, or being deleted, drops what was cached; and a cached token is
// refused from its exp second on (providers.skew is 1ms here: no allowance).
func TestVerifiedLoginCache(t *testing.T) {
	ctx := context.Background()
	idp := fakeidp.NewOIDC(t, "k1")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}, Config: harness.DevAccounts + `
providers:
  skew: 1ms
`})
	arn := oidcProvider(t, s, idp, "app")
	p, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("login cache"), OpenIdConnectProviderARNs: []string{arn},
	})
	if err != nil {
		t.Fatal(err)
	}
	pool := p.IdentityPoolId
	authRole(t, s, "CacheUsers", aws.ToString(pool))
	anon := s.Anonymous(harness.Region)
	checks := func() (verified, cached float64) {
		return harness.Metric(t, s.URL, `idpool_login_signatures_total{outcome="verified"}`),
			harness.Metric(t, s.URL, `idpool_login_signatures_total{outcome="cached"}`)
	}
	// use sends the token to the three operations that take logins.
	use := func(tok string) (string, error) {
		logins := map[string]string{idp.Host(): tok}
		id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool, Logins: logins})
		if err != nil {
			return "", err
		}
		if _, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins}); err != nil {
			return "", err
		}
		_, err = anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
		return aws.ToString(id.IdentityId), err
	}
	mustUse := func(tok string) string {
		t.Helper()
		id, err := use(tok)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	// The same token: verified (twice at most: the first check fetched the
	// keys), then answered from the cache.
	long := idp.IDToken(t, "alice", "app", time.Now().Add(time.Hour))
	id := mustUse(long)
	mustUse(long)
	v0, c0 := checks()
	for range 3 {
		mustUse(long)
	}
	if v, c := checks(); v != v0 || c != c0+9 {
		t.Fatalf("three more rounds: verified %v -> %v, cached %v -> %v; want 9 cached checks", v0, v, c0, c)
	}

	// The provider rotates its key: a token of the new key makes the server
	// fetch the keys again, and the cached token of the removed key is
	// refused, as it would be without a cache.
	idp.Rotate(t, "k2")
	if got := mustUse(idp.IDToken(t, "alice", "app", time.Now().Add(time.Hour))); got != id {
		t.Fatalf("identity %s, want %s", got, id)
	}
	_, err = use(long)
	wantAPIError(t, err, "NotAuthorizedException", "Invalid login token.")

	// The provider deleted: its tokens are refused at once; created again
	// (with another record), they are verified again, not taken from the cache.
	tok := idp.IDToken(t, "alice", "app", time.Now().Add(time.Hour))
	mustUse(tok)
	mustUse(tok)
	if _, err := iamClient(s).DeleteOpenIDConnectProvider(ctx, &awsiam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = use(tok)
	wantAPIError(t, err, "NotAuthorizedException", "")
	oidcProvider(t, s, idp, "app", "other-app")
	v1, _ := checks()
	mustUse(tok)
	if v, _ := checks(); v < v1+1 {
		t.Fatalf("after the provider was created again: verified %v -> %v, want a new verification", v1, v)
	}

	// Expiry is exact: the token is answered (from the cache) until the
	// second before exp and refused in exp's own second.
	exp := time.Now().Add(3 * time.Second).Truncate(time.Second)
	short := idp.IDToken(t, "alice", "app", exp)
	logins := map[string]string{idp.Host(): short}
	mustUse(short)
	mustUse(short)
	_, cBefore := checks()
	var lastOK time.Time
	for {
		start := time.Now()
		_, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: pool, Logins: logins})
		if err == nil {
			lastOK = start
			if start.After(exp.Add(time.Second)) {
				t.Fatalf("accepted at %v, after exp %v", start, exp)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		// The first refusal names exp's own second as the current time.
		e := strconv.FormatInt(exp.Unix(), 10)
		wantAPIError(t, err, "NotAuthorizedException", "Invalid login token. Token expired: "+e+" >= "+e)
		break
	}
	if _, c := checks(); c <= cBefore || exp.Sub(lastOK) > time.Second {
		t.Fatalf("cached checks %v -> %v, last accepted %v before exp", cBefore, c, exp.Sub(lastOK))
	}
}
