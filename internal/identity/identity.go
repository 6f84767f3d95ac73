// Package identity holds the types and interfaces shared by the identity
// logic: verified logins, the OpenID token issuer and verifier, and the STS
// that vends credentials. Operations (package ops) depend on these
// interfaces; the packages tokens, logins, roles and sts implement them.
package identity

import (
	"context"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

// TokenRequest asks for an identity-pool OpenID token.
type TokenRequest struct {
	PoolID     string
	PoolARN    string
	IdentityID string
	// AMR is the token's amr claim: ["unauthenticated"] or
	// ["authenticated", PROVIDER..., "PROVIDER:QUALIFIER:SUBJECT"...].
	AMR []string
	TTL time.Duration
	// PrincipalTags become the https://aws.amazon.com/tags claim.
	PrincipalTags map[string]string
}

// TokenIssuer signs identity-pool OpenID tokens.
type TokenIssuer interface {
	Issue(ctx context.Context, r TokenRequest) (string, error)
}

// VerifiedLogin is one Logins entry whose token was verified.
type VerifiedLogin struct {
	// Provider is the Logins key as the client sent it.
	Provider string
	// Subject is the user's unique id at the provider (stored on the login).
	Subject string
	// AMR is this login's qualified amr entry: "PROVIDER:QUALIFIER:SUBJECT".
	AMR string
	// RoleMappingKey is the RoleMappings key that applies to this login
	// (e.g. "cognito-idp.REGION.amazonaws.com/POOL:CLIENTID" for user pools).
	RoleMappingKey string
	// Claims of the token (or SAML attributes), for role rules and principal tags.
	Claims map[string]any
	// IdentityID is set for cognito-identity.amazonaws.com tokens: the
	// identity the token was issued to.
	IdentityID string
}

// LoginVerifier verifies the tokens of a Logins map against a pool's
// configuration. A token that fails returns an *apierr.Error
// (NotAuthorizedException with AWS's text).
type LoginVerifier interface {
	Verify(ctx context.Context, pool *storage.Pool, provider, token string) (*VerifiedLogin, error)
}

// AssumeRequest asks an STS to exchange an identity-pool token for credentials.
type AssumeRequest struct {
	AccountID   string
	RoleARN     string
	SessionName string
	// WebIdentityToken is an identity-pool OpenID token for the identity.
	WebIdentityToken string
	Duration         time.Duration
	// Tags are session tags from the pool's principal tag map.
	Tags map[string]string
}

// Credentials are temporary AWS credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// CredentialVendor is an STS: the embedded one or an external one. Its errors
// are reported to clients as InvalidIdentityPoolConfigurationException.
type CredentialVendor interface {
	AssumeRoleWithWebIdentity(ctx context.Context, r AssumeRequest) (*Credentials, error)
}

// OpenIDClaims are the verified claims of an identity-pool OpenID token.
type OpenIDClaims struct {
	Issuer        string
	Audience      string // the identity pool id
	Subject       string // the identity id
	AMR           []string
	IssuedAt      time.Time
	Expiry        time.Time
	PoolARN       string
	PrincipalTags map[string]string
	// Raw holds every claim, for rules and trust-policy conditions.
	Raw map[string]any
}

// TokenVerifier verifies identity-pool OpenID tokens issued by this server
// (signature, issuer, expiry). Audience checks are the caller's.
type TokenVerifier interface {
	VerifyOpenIDToken(ctx context.Context, token string) (*OpenIDClaims, error)
}
