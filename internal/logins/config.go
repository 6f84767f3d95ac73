package logins

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/config"
	"github.com/idpool/idpool/internal/identity"
)

// Defaults used when a Config field is zero.
const (
	DefaultFetchTimeout = 10 * time.Second
	// DefaultSkew is the allowance on the times of external providers'
	// tokens and SAML assertions: AWS documents 5 minutes of clock skew for
	// OpenID Connect tokens (Cognito Developer Guide, OIDC providers) and asks
	// developers to allow "usually no more than 5 minutes" for its own. It
	// never applies to idpool's own tokens (package tokens: no allowance).
	DefaultSkew = 5 * time.Minute
	// MaxSkew bounds the configurable allowance (providers.skew): an
	// allowance is for clocks that differ, not a longer token life.
	MaxSkew = 15 * time.Minute
	// maxFetchBody bounds what is read from a key set, discovery document
	// or provider API answer.
	maxFetchBody = 1 << 20
)

// Config configures a Verifier.
type Config struct {
	// Tokens verifies idpool's own OpenID tokens (cognito-identity.amazonaws.com logins).
	Tokens identity.TokenVerifier
	// HTTPClient fetches key sets and calls provider APIs; its Timeout is
	// replaced by FetchTimeout when it has none. nil = a new client.
	HTTPClient *http.Client
	// UserPools says where a Cognito user pool's keys come from.
	UserPools UserPoolConfig
	// Social holds the endpoints of the social providers.
	Social SocialConfig
	// SAMLRecipients are accepted SAML Destination / Recipient values besides
	// AWS's https://signin.aws.amazon.com/saml (and its regional forms).
	SAMLRecipients []string
	// FetchTimeout bounds every outbound call (default 10s).
	FetchTimeout time.Duration
	// Skew is the clock-skew grace for external tokens' exp/nbf/iat and SAML
	// windows (default 5 minutes, as AWS; at most MaxSkew).
	Skew time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives verification failures' causes (never tokens).
	Logger *slog.Logger
	// VerifiedTokens is how many verified JWT logins this node remembers, so
	// the same token's signature is not checked again on every call
	// (DefaultVerifiedTokens when 0; none when negative).
	VerifiedTokens int
	// TestIssuer, when set, is the key source of the logins it minted
	// (development mode, or testIssuer.enabled in the config); nil: minted
	// logins are refused like any token signed by an unknown key.
	TestIssuer *TestIssuer
}

// UserPoolConfig says where a Cognito user pool's issuer is. A user pool
// provider name is cognito-idp.REGION.amazonaws.com/POOLID; its issuer is
// https://cognito-idp.REGION.amazonaws.com/POOLID unless overridden, and its
// keys are at ISSUER/.well-known/jwks.json.
type UserPoolConfig struct {
	// Issuers maps a user pool id to its issuer URL (e.g. a cognito-local
	// pool: "http://localhost:9229/local_abc").
	Issuers map[string]string `json:"issuers,omitempty"`
	// IssuerTemplate builds the issuer of every other pool; {region} and
	// {pool} are replaced (e.g. "http://localhost:9229/{pool}").
	// Empty = AWS's https://cognito-idp.{region}.amazonaws.com/{pool}.
	IssuerTemplate string `json:"issuerTemplate,omitempty"`
	// CheckEndpoint is the Cognito user pools API endpoint used for
	// ServerSideTokenCheck (an AdminGetUser call). Empty = the check only
	// verifies the token itself; see checkUser.
	CheckEndpoint string `json:"checkEndpoint,omitempty"`
}

// issuer returns the issuer URL of user pool pool in region.
func (c UserPoolConfig) issuer(region, pool string) string {
	if u, ok := c.Issuers[pool]; ok {
		return strings.TrimSuffix(u, "/")
	}
	t := c.IssuerTemplate
	if t == "" {
		t = "https://cognito-idp.{region}.amazonaws.com/{pool}"
	}
	return strings.TrimSuffix(strings.NewReplacer("{region}", region, "{pool}", pool).Replace(t), "/")
}

// SocialConfig holds the social providers' endpoints; zero fields are the
// real providers' (socialDefaults). It is the config file's section itself.
type SocialConfig = config.Social

// OIDCIssuer is a fixed OpenID Connect issuer.
type OIDCIssuer = config.OIDCIssuer

// socialDefaults fills c's zero fields with the real providers' endpoints.
func socialDefaults(c *SocialConfig) {
	if c.Google.Issuer == "" {
		c.Google.Issuer = "https://accounts.google.com"
	}
	if c.Apple.Issuer == "" {
		c.Apple = OIDCIssuer{Issuer: "https://appleid.apple.com", JWKSURL: "https://appleid.apple.com/auth/keys"}
	}
	c.FacebookGraphURL = orDefault(c.FacebookGraphURL, "https://graph.facebook.com")
	c.AmazonAPIURL = orDefault(c.AmazonAPIURL, "https://api.amazon.com")
	c.TwitterAPIURL = orDefault(c.TwitterAPIURL, "https://api.twitter.com")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return strings.TrimSuffix(v, "/")
}
