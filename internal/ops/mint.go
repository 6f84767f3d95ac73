package ops

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/logins"
	"github.com/idpool/idpool/internal/storage"
)

// Test logins: in development mode, or with testIssuer.enabled in the
// config file, idpool is itself a test identity provider. MintLogin hands
// out a login token that GetId, GetOpenIdToken and
// GetCredentialsForIdentity verify through their usual path
// (logins.TestIssuer).

// MintLoginName is the test login extension (X-Amz-Target IdpoolService.MintLogin).
const MintLoginName = "MintLogin"

// Bounds of a minted login's lifetime.
const (
	defaultMintLifetime = time.Hour
	maxMintLifetime     = 24 * time.Hour
	maxPoolsScanned     = 1000
)

type mintLoginInput struct {
	// Provider is the Logins key: accounts.google.com, appleid.apple.com,
	// cognito-idp.REGION.amazonaws.com/POOL_ID, an IAM OIDC provider's
	// host/path (or https:// URL), or an IAM SAML provider's ARN.
	Provider string `json:"Provider"`
	Subject  string `json:"Subject"`
	// Audience is the client id the token is for; absent: the first one
	// configured for the provider (on IdentityPoolId, else on the only
	// client id the caller's pools configure; an OIDC provider's first).
	Audience       string            `json:"Audience,omitempty"`
	IdentityPoolId string            `json:"IdentityPoolId,omitempty"`
	Claims         map[string]string `json:"Claims,omitempty"`
	// ExpiresIn is a Go duration ("15m"), 1s to 24h; absent: 1h.
	ExpiresIn string `json:"ExpiresIn,omitempty"`
}

type mintLoginOutput struct {
	// Token is the Logins value: a JWT, or a base64 SAML response.
	Token    string `json:"Token"`
	Provider string `json:"Provider"`
	Audience string `json:"Audience,omitempty"`
	// Expiration is when the login stops verifying (epoch seconds).
	Expiration int64 `json:"Expiration"`
}

// MintLogin returns a login of the caller's account for a provider the
// caller has configured. It reads the pools and IAM providers it needs in
// one snapshot; the token verifies only for the caller's account's pools,
// and only on a server whose test issuer is on.
func (s *Service) MintLogin(ctx context.Context, c *auth.Caller, in *mintLoginInput) (*mintLoginOutput, error) {
	if s.minter == nil {
		return nil, logins.ErrTestIssuerOff
	}
	life, err := mintLifetime(in.ExpiresIn)
	if err != nil {
		return nil, err
	}
	kind, key, err := logins.MintTarget(in.Provider)
	if err != nil {
		return nil, err
	}
	req := identity.MintRequest{Account: c.Account(), Provider: key, Subject: in.Subject, Audience: in.Audience,
		Claims: in.Claims, Expires: s.now().Add(life)}
	err = s.view(ctx, func(r storage.Reader) error {
		if err := mintProviders(r, c, kind, &req); err != nil {
			return err
		}
		if req.Audience != "" || kind == logins.MintSAML {
			return nil
		}
		req.Audience, err = mintAudience(r, c, kind, key, in.IdentityPoolId, req.OIDC)
		return err
	})
	if err != nil {
		return nil, err
	}
	tok, err := s.minter.Mint(req)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "test login minted", "account", c.Account(), "provider", key, "expires_in", life)
	return &mintLoginOutput{Token: tok, Provider: key, Audience: req.Audience, Expiration: req.Expires.Unix()}, nil
}

// mintLifetime parses ExpiresIn.
func mintLifetime(s string) (time.Duration, error) {
	if s == "" {
		return defaultMintLifetime, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second || d > maxMintLifetime {
		return 0, apierr.New(apierr.Validation, "1 validation error detected: Value '%s' at 'expiresIn' failed to satisfy constraint: Member must be a duration between 1s and %s, such as 15m",
			apierr.Echo(s), maxMintLifetime)
	}
	return d, nil
}

// mintProviders reads the caller's IAM provider a login of kind needs.
func mintProviders(r storage.Reader, c *auth.Caller, kind logins.MintKind, req *identity.MintRequest) error {
	var err error
	switch kind {
	case logins.MintOIDC:
		req.OIDC, err = iam.GetOIDCProvider(r, c.Account(), req.Provider)
	case logins.MintSAML:
		acct, name, _ := iam.ParseProviderARN(req.Provider, "saml-provider")
		if acct != c.Account() {
			return apierr.InvalidParameterf("SAML provider '%s' is not in your account.", apierr.Echo(req.Provider))
		}
		req.SAML, err = iam.GetSAMLProvider(r, acct, name)
	}
	if errors.Is(err, storage.ErrNotFound) {
		req.OIDC, req.SAML = nil, nil // logins.Mint names what is missing
		return nil
	}
	return err
}

// mintAudience is the default audience: an OIDC provider's first client
// id; for Google, Apple and user pools the first client id that pool (or
// every pool of the caller in the region that configures the provider)
// gives, when there is exactly one.
func mintAudience(r storage.Reader, c *auth.Caller, kind logins.MintKind, key, poolID string, doc *iam.OIDCProvider) (string, error) {
	if kind == logins.MintOIDC {
		if doc == nil || len(doc.ClientIDList) == 0 {
			return "", nil // logins.Mint refuses
		}
		return doc.ClientIDList[0], nil
	}
	var pools []*storage.Pool
	if poolID != "" {
		p, err := callerPool(r, c, poolID)
		if err != nil {
			return "", err
		}
		pools = []*storage.Pool{p}
	} else {
		var err error
		if pools, err = r.ListPools(c.Account(), c.Region, "", maxPoolsScanned); err != nil {
			return "", err
		}
	}
	var found []string
	for _, p := range pools {
		if id := firstClientID(p, kind, key); id != "" && !slices.Contains(found, id) {
			found = append(found, id)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return "", apierr.InvalidParameterf("Several identity pools configure %s with different client ids (%s): give --audience or --identity-pool-id.",
			key, apierr.Echo(strings.Join(found, ", ")))
	case poolID != "":
		return "", apierr.InvalidParameterf("Identity pool %s does not configure %s: add it to the pool, or give --audience.", poolID, key)
	}
	return "", apierr.InvalidParameterf("No identity pool of this account in %s configures %s: add it to a pool, or give --audience.", c.Region, key)
}

// firstClientID is the first client id p configures for a social or user
// pool provider.
func firstClientID(p *storage.Pool, kind logins.MintKind, key string) string {
	if kind == logins.MintUserPool {
		for _, cp := range p.CognitoIdentityProviders {
			if cp.ProviderName == key {
				return cp.ClientID
			}
		}
		return ""
	}
	id, _, _ := strings.Cut(p.SupportedLoginProviders[key], ",")
	return strings.TrimSpace(id)
}
