package logins

import (
	"context"
	"errors"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// cognitoIdentity verifies an identity-pool OpenID token that idpool issued
// (GetOpenIdToken / GetOpenIdTokenForDeveloperIdentity), given back under
// cognito-identity.amazonaws.com to GetCredentialsForIdentity. AMR is left
// empty: the token's own amr entries are in Claims["amr"].
func (v *Verifier) cognitoIdentity(ctx context.Context, pool *storage.Pool, token string) (*identity.VerifiedLogin, error) {
	if v.tokens == nil {
		return nil, refuseCause(msgNotCognito, errors.New("no token verifier configured"))
	}
	c, err := v.tokens.VerifyOpenIDToken(ctx, token)
	var ae *apierr.Error
	if errors.As(err, &ae) && ae.Code == apierr.NotAuthorized {
		return nil, ae // the token service's own text (e.g. expired)
	}
	if err != nil {
		return nil, refuseCause(msgNotCognito, err)
	}
	if c.Audience != pool.ID {
		// [inf] A token of another pool is a valid Cognito token that this
		// pool does not accept.
		return nil, refuse(msgUnsupported)
	}
	claims := c.Raw
	if claims == nil {
		claims = map[string]any{"iss": c.Issuer, "aud": c.Audience, "sub": c.Subject}
	}
	return &identity.VerifiedLogin{
		Provider:   ProviderCognitoIdentity,
		Subject:    c.Subject,
		Claims:     claims,
		IdentityID: c.Subject,
	}, nil
}
