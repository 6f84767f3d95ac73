package sts

import (
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// XMLNamespace is STS's response namespace.
const XMLNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// APIVersion is the STS API version clients send.
const APIVersion = "2011-06-15"

// CognitoPrincipal is the federated principal AWS's identity-pool tokens
// come from; trust policies written for AWS name it.
const CognitoPrincipal = "cognito-identity.amazonaws.com"

// Config configures the embedded STS.
type Config struct {
	Store storage.Store
	// Tokens verifies idpool's identity-pool OpenID tokens (signature,
	// issuer, expiry).
	Tokens identity.TokenVerifier
	// Issuer is idpool's token issuer URL. Trust policies may name its host
	// (and path) as well as cognito-identity.amazonaws.com, both as the
	// Federated principal and as the prefix of condition keys.
	Issuer string
	// Logins, when set, verifies tokens of other issuers (an OIDC IdP, another
	// idpool on https) against the role account's IAM OIDC provider for the
	// issuer, as AWS STS does. nil: only idpool's own tokens are accepted.
	Logins identity.LoginVerifier
	// DevTrustUnknownRoles trusts a role ARN that IAM does not know as if
	// its trust policy allowed idpool tokens of any pool (development setups
	// with no roles created). Off with a configuration file.
	DevTrustUnknownRoles bool
	Now                  func() time.Time
	Logger               *slog.Logger
}

// Service is the embedded STS: an awsquery.Service, an
// identity.CredentialVendor, and (through Keyring) the verifier of the
// credentials it vends.
type Service struct {
	store   storage.Store
	tokens  identity.TokenVerifier
	logins  identity.LoginVerifier
	issuer  string
	devMode bool
	now     func() time.Time
	log     *slog.Logger
	sealer  *sealer
	valid   *validators
	// devLogged holds role ARNs already reported as dev-trusted.
	devLogged sync.Map
	actions   map[string]awsquery.Action
}

var _ identity.CredentialVendor = (*Service)(nil)

// New returns the embedded STS.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Tokens == nil {
		return nil, errors.New("sts: Config.Store and Config.Tokens are required")
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" {
		return nil, errors.New("sts: Config.Issuer must be an absolute URL")
	}
	s := &Service{
		store: cfg.Store, tokens: cfg.Tokens, logins: cfg.Logins, issuer: strings.TrimSuffix(cfg.Issuer, "/"),
		devMode: cfg.DevTrustUnknownRoles, now: cfg.Now, log: cfg.Logger,
		sealer: &sealer{store: cfg.Store}, valid: newValidators(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.actions = map[string]awsquery.Action{
		"AssumeRoleWithWebIdentity": {Unsigned: true, Call: s.assumeRoleWithWebIdentityAction},
		"GetCallerIdentity":         {Call: s.getCallerIdentity},
	}
	return s, nil
}

// SigningName implements awsquery.Service.
func (s *Service) SigningName() string { return "sts" }

// XMLNamespace implements awsquery.Service.
func (s *Service) XMLNamespace() string { return XMLNamespace }

// APIVersion names STS's API version for the Query router.
func (s *Service) APIVersion() string { return APIVersion }

// Action implements awsquery.Service.
func (s *Service) Action(name string) (awsquery.Action, bool) {
	a, ok := s.actions[name]
	return a, ok
}

// issuerHost is the issuer without its scheme (host and any path), the
// form IAM uses for OIDC provider names and condition-key prefixes.
func (s *Service) issuerHost() string {
	h := s.issuer
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	return h
}
