package logins

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/idpool/idpool/test/fakeidp"
	"github.com/idpool/idpool/test/harness"
)

// TestRotatedKeyNotRememberedUnderLoad: while clients keep sending tokens
// of a key the provider has just dropped, each token new to the server, a
// token of the new key makes the server read the key set again. From the
// moment that call is answered no token of the dropped key is accepted,
// and none is afterwards: the server's cache of verified tokens must not
// have kept one verified against the old keys in the meantime.
func TestRotatedKeyNotRememberedUnderLoad(t *testing.T) {
	ctx := context.Background()
	idp := fakeidp.NewOIDC(t, "k1")
	s := harness.Start(t, harness.Options{Env: []string{"SSL_CERT_FILE=" + idp.CertFile(t)}, Config: harness.DevAccounts})
	p, err := s.Cognito().CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("rotation"), OpenIdConnectProviderARNs: []string{oidcProvider(t, s, idp, "app")},
	})
	if err != nil {
		t.Fatal(err)
	}
	anon := s.Anonymous(harness.Region)
	getID := func(tok string) error {
		_, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: map[string]string{idp.Host(): tok}})
		return err
	}
	token := func(jti int) string {
		return idp.Sign(t, map[string]any{"iss": idp.URL(), "sub": "alice", "aud": "app", "jti": strconv.Itoa(jti),
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	}
	jti := 0
	for round := 2; round <= 9; round++ {
		if err := getID(token(jti)); err != nil { // the server holds the current keys
			t.Fatal(err)
		}
		old := make([]string, 40)
		for i := range old {
			jti++
			old[i] = token(jti)
		}
		idp.Rotate(t, "k"+strconv.Itoa(round))

		var rotated, stop atomic.Bool
		var late atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; !stop.Load(); i += 4 {
					after := rotated.Load()
					if getID(old[i%len(old)]) == nil && after {
						late.Add(1)
					}
				}
			}()
		}
		if err := getID(token(jti + 1)); err != nil {
			t.Fatal(err)
		}
		jti++
		rotated.Store(true)
		time.Sleep(50 * time.Millisecond)
		stop.Store(true)
		wg.Wait()
		if n := late.Load(); n > 0 {
			t.Fatalf("round %d: tokens of the dropped key were accepted %d times after the new key's token was", round, n)
		}
		for _, tok := range old {
			wantAPIError(t, getID(tok), "NotAuthorizedException", "Invalid login token.")
		}
	}
}
