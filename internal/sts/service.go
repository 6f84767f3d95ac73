package sts

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// Config configures the embedded STS.
type Config struct {
	// Store holds the session-token key; New loads (or creates) it once.
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
	// ShortDurations lets the enhanced flow (AssumeRoleWithWebIdentity as
	// a CredentialVendor) vend credentials for less than MinDuration, down
	// to a second: short lifetimes for testing. The STS action keeps AWS's
	// bounds.
	ShortDurations bool
	Now            func() time.Time
	Logger         *slog.Logger
}

// Service is the embedded STS core: it assumes roles for web identity
// tokens (Assume; AssumeRoleWithWebIdentity for the enhanced flow, as an
// identity.CredentialVendor) and, through Keyring, verifies the credentials
// it vended. It opens no transaction: callers pass the IAM records they read.
type Service struct {
	tokens  identity.TokenVerifier
	logins  identity.LoginVerifier
	issuer  string
	devMode bool
	// short is Config.ShortDurations.
	short  bool
	now    func() time.Time
	log    *slog.Logger
	sealer *sealer
	// devLogged holds role ARNs already reported as dev-trusted.
	devLogged sync.Map
}

var _ identity.InProcessVendor = (*Service)(nil)

// New returns the embedded STS, with its session-token key loaded.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Tokens == nil {
		return nil, errors.New("sts: Config.Store and Config.Tokens are required")
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" {
		return nil, errors.New("sts: Config.Issuer must be an absolute URL")
	}
	sl, err := loadSealer(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	s := &Service{
		tokens: cfg.Tokens, logins: cfg.Logins, issuer: strings.TrimSuffix(cfg.Issuer, "/"),
		devMode: cfg.DevTrustUnknownRoles, short: cfg.ShortDurations, now: cfg.Now, log: cfg.Logger, sealer: sl,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
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
