package logins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// userPoolKey matches a user pool's Logins key: cognito-idp.REGION.amazonaws.com/POOLID.
var userPoolKey = regexp.MustCompile(`^cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+)$`)

func isUserPoolProvider(p string) bool { return userPoolKey.MatchString(p) }

// userPool verifies a Cognito user pool ID token. AWS refuses access tokens
// (they have no aud: "Missing a required claim: aud"), so only token_use=id
// is taken.
func (v *Verifier) userPool(ctx context.Context, pool *storage.Pool, provider, token string) (*identity.VerifiedLogin, error) {
	var configured []storage.CognitoProvider
	for _, cp := range pool.CognitoIdentityProviders {
		if cp.ProviderName == provider {
			configured = append(configured, cp)
		}
	}
	if len(configured) == 0 {
		return nil, refuse(msgUnsupported)
	}
	m := userPoolKey.FindStringSubmatch(provider)
	region, poolID := m[1], m[2]
	issuer := v.userPools.issuer(region, poolID)

	j := v.jwt(token)
	peek, err := j.peek()
	if err != nil {
		return nil, err
	}
	if peek.str("iss") != issuer {
		return nil, refuse(msgIssuer)
	}
	ks, ok := v.testKeys(pool.AccountID, token)
	if !ok {
		ks = v.fetch.keySet(issuer + "/.well-known/jwks.json")
	}
	c, err := v.signedClaims(ctx, ks, issuer, j)
	if err != nil {
		return nil, err
	}
	if c.str("iss") != issuer {
		return nil, refuse(msgIssuer)
	}
	if err := checkTimes(c, v.now(), v.skew); err != nil {
		return nil, err
	}
	aud := c.str("aud")
	if aud == "" {
		return nil, refuse(msgMissingAud)
	}
	if use := c.str("token_use"); use != "" && use != "id" {
		return nil, refuse(msgInvalid)
	}
	sub := c.str("sub")
	if sub == "" {
		return nil, refuse("Invalid login token. Missing a required claim: sub")
	}
	var client *storage.CognitoProvider
	for i := range configured {
		if configured[i].ClientID == aud {
			client = &configured[i]
			break
		}
	}
	if client == nil {
		return nil, refuse(msgUnsupported)
	}
	if client.ServerSideTokenCheck {
		if err := v.checkUser(ctx, poolID, c); err != nil {
			return nil, err
		}
	}
	return &identity.VerifiedLogin{
		Provider:        provider,
		Subject:         sub,
		AMR:             provider + ":CognitoSignIn:" + sub,
		RoleMappingKey:  provider + ":" + aud,
		Claims:          c.plain(),
		SignatureCached: j.cached,
	}, nil
}

// checkUser is the ServerSideTokenCheck: AWS asks the user pool whether the
// user still exists and is enabled. idpool does it with an AdminGetUser
// call (JSON 1.1, unsigned) to UserPoolConfig.CheckEndpoint, which suits
// cognito-local and other emulators; a user that is missing or disabled is
// refused. With no CheckEndpoint the check is the token's own signature and
// expiry (real AWS user pools need signed calls, which idpool cannot make
// without credentials of the pool's account). Global sign-out is not
// detected: AdminGetUser does not report it.
func (v *Verifier) checkUser(ctx context.Context, poolID string, c claims) error {
	endpoint := v.userPools.CheckEndpoint
	if endpoint == "" {
		return nil
	}
	username := c.str("cognito:username")
	if username == "" {
		username = c.str("sub")
	}
	body, err := json.Marshal(map[string]string{"UserPoolId": poolID, "Username": username})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return unavailable("the user pool", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser")
	var out struct {
		Enabled *bool `json:"Enabled"`
	}
	err = v.fetch.do(req, &out)
	var se *statusError
	switch {
	case errors.As(err, &se) && se.code == http.StatusBadRequest && bytes.Contains(se.body, []byte("UserNotFoundException")):
		return refuseCause(msgUserNotAllowed, err)
	case err != nil:
		return unavailable("the user pool", err)
	case out.Enabled != nil && !*out.Enabled:
		return refuse(msgUserNotAllowed)
	}
	return nil
}
