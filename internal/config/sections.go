package config

// The sections of the file. Each is plain data: the packages that act on a
// section get it converted by the composition (internal/server), so this
// package imports nothing of idpool and a section's shape is read here.

// Account is one AWS account.
type Account struct {
	ID   string `json:"id"`
	Keys []Key  `json:"keys"`
}

// Key is a long-term access key.
type Key struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Storage selects the storage backend.
type Storage struct {
	// Type is "sqlite" (default) or "postgres".
	Type string `json:"type,omitempty"`
	// URL is a SQLite path or a postgres:// connection string.
	URL string `json:"url,omitempty"`
}

// Spec returns the storage spec backends.Open understands ("" = default).
func (s Storage) Spec() string { return s.URL }

// Limits are the service quotas; zero keeps AWS's default (in brackets).
type Limits struct {
	PoolsPerAccount       int `json:"poolsPerAccount,omitempty"`       // 1000
	TagsPerPool           int `json:"tagsPerPool,omitempty"`           // 50
	RoleMappingsPerPool   int `json:"roleMappingsPerPool,omitempty"`   // 10
	RulesPerRoleMapping   int `json:"rulesPerRoleMapping,omitempty"`   // 25
	LoginsPerIdentity     int `json:"loginsPerIdentity,omitempty"`     // 20
	UserPoolProvidersPool int `json:"userPoolProvidersPool,omitempty"` // 50
}

// RateLimits throttles operations per account (per node).
type RateLimits struct {
	// Profile "aws" starts from AWS's published default quotas; empty
	// starts from nothing.
	Profile string `json:"profile,omitempty"`
	// Default applies to every operation the profile and Operations leave
	// open. RPS 0 means unlimited.
	Default Rate `json:"default"`
	// Operations override the profile and Default per operation name.
	Operations map[string]Rate `json:"operations,omitempty"`
	// Accounts override everything above for one account id.
	Accounts map[string]AccountRates `json:"accounts,omitempty"`
}

// AccountRates are one account's rate overrides.
type AccountRates struct {
	Default    Rate            `json:"default"`
	Operations map[string]Rate `json:"operations,omitempty"`
}

// Rate is a token bucket: RPS requests per second on average, up to Burst
// at once. RPS 0 means unlimited; Burst 0 means max(1, ceil(RPS)).
type Rate struct {
	RPS   float64 `json:"rps"`
	Burst int     `json:"burst,omitempty"`
}

// Lifetimes shortens what pools vend, for testing clients' refresh code.
type Lifetimes struct {
	// Enabled allows short lifetimes outside development mode (the
	// settings below and the SetLifetimes operation).
	Enabled bool `json:"enabled,omitempty"`
	// The server-wide lifetimes.
	LifetimeSet
	// Pools override per pool id.
	Pools map[string]LifetimeSet `json:"pools,omitempty"`
}

// LifetimeSet are the lifetimes of what a pool vends; zero inherits.
type LifetimeSet struct {
	Credentials    Duration `json:"credentials,omitempty"`
	OpenIdToken    Duration `json:"openIdToken,omitempty"`
	DeveloperToken Duration `json:"developerToken,omitempty"`
}

// STS selects where credentials come from: the embedded STS, or an
// external one (AWS, MinIO, Ceph RGW). The serve flags override it.
type STS struct {
	// Endpoint of an external STS; empty uses the embedded one.
	Endpoint string `json:"endpoint,omitempty"`
	// Region signed into requests to the external STS.
	Region string `json:"region,omitempty"`
	// Kind of the external STS (aws, minio, ceph; aws when empty): the
	// form of the role ARNs pools may name.
	Kind string `json:"kind,omitempty"`
	// RoleARNPattern is a regular expression for more role ARNs the
	// external STS takes; an ARN must match it whole.
	RoleARNPattern string `json:"roleArnPattern,omitempty"`
	// Timeout bounds each credentials request to the external STS, its
	// retries included ("5s").
	Timeout string `json:"timeout,omitempty"`
}

// Keys are the token signing keys and the key of secrets at rest.
type Keys struct {
	// Rotation is how often a new signing key becomes active ("168h").
	Rotation string `json:"rotation,omitempty"`
	// EncryptionKey (base64, 32 bytes; use ${ENV} in the file) encrypts the
	// secrets at rest. IDPOOL_ENCRYPTION_KEY is used when it is unset.
	EncryptionKey string `json:"encryptionKey,omitempty"`
}

// Providers says where login tokens are verified: user pools and social
// providers, for emulators and tests. The zero value means the real ones.
//
//	providers:
//	  userPools:
//	    issuerTemplate: http://127.0.0.1:9229/{pool}   # cognito-local
//	    checkEndpoint: http://127.0.0.1:9229
//	  social:
//	    google: {issuer: https://accounts.google.com}
//	    facebookGraphUrl: https://graph.facebook.com
//	  samlRecipients: [https://idpool.example.com/saml]
//	  fetchTimeout: 10s
//	  skew: 5m
type Providers struct {
	UserPools      UserPools `json:"userPools"`
	Social         Social    `json:"social"`
	SAMLRecipients []string  `json:"samlRecipients,omitempty"`
	FetchTimeout   string    `json:"fetchTimeout,omitempty"`
	Skew           string    `json:"skew,omitempty"`
}

// UserPools says where a Cognito user pool's keys come from.
type UserPools struct {
	// Issuers maps a user pool id to its issuer URL.
	Issuers map[string]string `json:"issuers,omitempty"`
	// IssuerTemplate builds the issuer of every other pool; {region} and
	// {pool} are replaced. Empty: AWS's.
	IssuerTemplate string `json:"issuerTemplate,omitempty"`
	// CheckEndpoint is the user pools API used for ServerSideTokenCheck.
	CheckEndpoint string `json:"checkEndpoint,omitempty"`
}

// Social holds the endpoints of the social providers; zero fields are the
// real providers'.
type Social struct {
	// Google and Apple are OpenID Connect issuers.
	Google OIDCIssuer `json:"google"`
	Apple  OIDCIssuer `json:"apple"`
	// FacebookGraphURL is the Graph API base (default https://graph.facebook.com).
	FacebookGraphURL string `json:"facebookGraphUrl,omitempty"`
	// AmazonAPIURL is the Login with Amazon API base (default https://api.amazon.com).
	AmazonAPIURL string `json:"amazonApiUrl,omitempty"`
	// TwitterAPIURL is the Twitter API base (default https://api.twitter.com).
	TwitterAPIURL string `json:"twitterApiUrl,omitempty"`
}

// OIDCIssuer is a fixed OpenID Connect issuer.
type OIDCIssuer struct {
	// Issuer is the iss value tokens carry.
	Issuer string `json:"issuer,omitempty"`
	// JWKSURL is where its keys are; empty = read from the issuer's discovery document.
	JWKSURL string `json:"jwksUrl,omitempty"`
}

// FaultRule is a fault rule in force from the start (idpool fault add's
// fields) and the account whose calls it touches (optional when the file
// configures exactly one account).
type FaultRule struct {
	Account        string   `json:"account,omitempty"`
	Operation      string   `json:"operation"`
	IdentityPoolId string   `json:"identityPoolId,omitempty"`
	IdentityId     string   `json:"identityId,omitempty"`
	Login          string   `json:"login,omitempty"`
	Error          string   `json:"error,omitempty"`
	Message        string   `json:"message,omitempty"`
	Latency        Duration `json:"latency,omitempty"`
	Times          int      `json:"times,omitempty"`
	Percent        float64  `json:"percent,omitempty"`
	StartAfter     Duration `json:"startAfter,omitempty"`
	ActiveFor      Duration `json:"activeFor,omitempty"`
}

// Traces keeps decision traces in memory (idpool explain).
type Traces struct {
	// Enabled turns tracing on; unset: on in development mode only.
	Enabled *bool `json:"enabled,omitempty"`
	// PerAccount bounds the traces kept per account (default 1000).
	PerAccount int `json:"perAccount,omitempty"`
	// SampleRate is the share of calls traced, in (0, 1] (default 1).
	SampleRate float64 `json:"sampleRate,omitempty"`
}

// TestIssuer is the testIssuer section.
type TestIssuer struct {
	// Enabled turns the test issuer on in production mode (a config
	// file): logins minted by this server verify here.
	Enabled bool `json:"enabled,omitempty"`
}

// Console is the console section.
type Console struct {
	// Enabled serves the web console (static files; every datum it shows
	// comes from calls the browser signs with an account's keys).
	Enabled bool `json:"enabled,omitempty"`
}
