// Package identity holds the types and interfaces shared by the identity
// logic: verified logins, the OpenID token issuer and verifier, and the STS
// that vends credentials. Operations (package ops) depend on these
// interfaces; the packages tokens, logins, roles and sts implement them.
package identity

import (
	"context"
	"errors"
	"time"

	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

// CognitoIdentity is the name of Cognito Identity itself wherever a name is
// needed: the Logins key of its own OpenID tokens, the Federated principal
// of trust policies for them, their condition-key prefix, and the provider
// of developer-authenticated identities' amr. It is spelled only in package
// iam (iam.CognitoPrincipal, which IAM's trust-policy rule needs and which
// cannot import this package).
const CognitoIdentity = iam.CognitoPrincipal

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

// ClaimsIssuer is a TokenIssuer that also gives, unsigned, the claims of
// the token it would issue for a request, exactly as verifying that token
// would return them: for an STS in the same process (InProcessVendor).
type ClaimsIssuer interface {
	TokenIssuer
	Claims(ctx context.Context, r TokenRequest) (*OpenIDClaims, error)
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
	// Assertion is set for SAML logins: the caller records it as used in the
	// write transaction that accepts the login, so a replay is refused.
	Assertion *Assertion
	// SignatureCached says the token's signature check was this node's
	// earlier one of the same token under the same keys (the logins cache of
	// verified tokens); every other check ran on this call.
	SignatureCached bool
}

// Assertion identifies a SAML assertion and when it stops being valid.
type Assertion struct {
	Account, Issuer, ID string
	Until               time.Time
}

// LoginRequest is one Logins entry to verify against a pool.
type LoginRequest struct {
	Pool *storage.Pool
	// Provider is the Logins key, Token its value.
	Provider, Token string
	// OIDC and SAML are the IAM provider the entry is verified against, as
	// the caller read it in its own snapshot (logins.ProviderARN says
	// which); nil when the pool names none or IAM has no such provider.
	OIDC *iam.OIDCProvider
	SAML *iam.SAMLProvider
}

// LoginVerifier verifies the tokens of a Logins map against a pool's
// configuration. A token that fails returns an *apierr.Error
// (NotAuthorizedException with AWS's text). It reads no storage.
type LoginVerifier interface {
	Verify(ctx context.Context, r LoginRequest) (*VerifiedLogin, error)
	// Peek returns, unverified, the Provider, Subject and IdentityID that
	// Verify would return, when the token shows them (ok false otherwise).
	Peek(r LoginRequest) (l *VerifiedLogin, ok bool)
}

// MintRequest asks idpool's test issuer for a login (idpool login mint).
// The caller has resolved what the provider needs from storage: OIDC or
// SAML is the IAM provider of an OIDC or SAML login, Audience the client
// id the token is for.
type MintRequest struct {
	// Account is the caller's account: the minted login verifies only for
	// its pools.
	Account string
	// Provider is the Logins key the login is for.
	Provider, Subject, Audience string
	// Claims are added to the token (SAML: attributes).
	Claims map[string]string
	// Expires is when the login stops being valid.
	Expires time.Time
	OIDC    *iam.OIDCProvider
	SAML    *iam.SAMLProvider
}

// LoginMinter mints test logins that a LoginVerifier accepts (development
// mode, or the test issuer enabled in the config).
type LoginMinter interface {
	Mint(r MintRequest) (string, error)
}

// AssumeRequest asks an STS to exchange an identity-pool token for credentials.
type AssumeRequest struct {
	AccountID   string
	RoleARN     string
	SessionName string
	// WebIdentityToken is an identity-pool OpenID token for the identity.
	WebIdentityToken string
	// Claims replace WebIdentityToken for an InProcessVendor: the claims
	// of the token this process's ClaimsIssuer would sign, handed over
	// without a signature. Only an InProcessVendor reads them.
	Claims   *OpenIDClaims
	Duration time.Duration
	// Tags are session tags from the pool's principal tag map.
	Tags map[string]string
	// Role is the role's IAM record as the caller read it in its snapshot
	// (nil: IAM has no such role); the embedded STS checks its trust policy.
	// An external STS has its own IAM and ignores it.
	Role *iam.Role
}

// Credentials are temporary AWS credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// ErrSTSUnavailable is the error of an STS that could not answer: not
// reachable, too slow, or failing on its side. Nothing is wrong with the
// pool, and the client may retry.
var ErrSTSUnavailable = errors.New("the STS could not be reached")

// CredentialVendor is an STS: the embedded one or an external one. Its
// refusals are reported to clients as
// InvalidIdentityPoolConfigurationException; an error that is
// ErrSTSUnavailable is a server-side failure (InternalErrorException).
type CredentialVendor interface {
	AssumeRoleWithWebIdentity(ctx context.Context, r AssumeRequest) (*Credentials, error)
}

// AssumeChecker is a CredentialVendor that can say whether it would vend
// credentials for r without vending them (the embedded STS; an external one
// cannot be asked).
type AssumeChecker interface {
	CheckAssume(ctx context.Context, r AssumeRequest) error
}

// InProcessVendor is an STS running in this process (the embedded one): it
// takes AssumeRequest.Claims, from ClaimsIssuer.Claims, in place of a
// signed token, and checks them exactly as it checks a verified token's.
type InProcessVendor interface {
	CredentialVendor
	// InProcess marks the vendor; it does nothing.
	InProcess()
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
