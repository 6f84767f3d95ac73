package ops

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/apimodel"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/sts"
	"github.com/idpool/idpool/internal/trace"
)

// Config wires the operations to storage and the identity logic.
type Config struct {
	Store storage.Store
	// Tokens signs OpenID tokens; nil makes the token operations answer
	// InternalErrorException until it is wired.
	Tokens identity.TokenIssuer
	// Logins verifies Logins tokens; nil refuses every Logins entry.
	Logins identity.LoginVerifier
	// STS vends credentials; nil makes GetCredentialsForIdentity answer
	// InvalidIdentityPoolConfigurationException.
	STS identity.CredentialVendor
	// RoleARNs are the role ARNs pools may name (roles, rules): the form the
	// STS takes. Nil is AWS's form (sts.AWSRoleARNs).
	RoleARNs *regexp.Regexp
	// Pages signs and checks NextTokens (pagination.Open).
	Pages  *pagination.Signer
	Limits Limits
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
	// DevMode is the server's development mode. The operations answer the
	// same in it; the only difference is a log line with the fix when a
	// pool without roles refuses credentials (once per pool).
	DevMode bool
	// Validate checks a JSON body against the model as the wire does for
	// AWS's operations (model.Load's validator); the extensions use it to
	// give the same answers as the operations they extend. Nil skips it.
	Validate func(op string, body []byte) *apierr.Error
	// ShortLifetimes allows lifetimes shorter than AWS's (development mode,
	// or lifetimes.enabled in the config file); Lifetimes are the
	// configured ones.
	ShortLifetimes bool
	Lifetimes      LifetimesConfig
	// Minter mints test logins (MintLogin): development mode, or the test
	// issuer enabled in the config file; nil refuses MintLogin.
	Minter identity.LoginMinter
}

// Service runs the 23 Cognito Identity operations.
type Service struct {
	store  storage.Store
	tokens identity.TokenIssuer
	logins identity.LoginVerifier
	sts    identity.CredentialVendor
	// claims is the token issuer when the STS runs in this process and
	// takes a token's claims without its signature (nil otherwise).
	claims identity.ClaimsIssuer
	// roleARNs are the role ARNs a pool may name (Config.RoleARNs).
	roleARNs *regexp.Regexp
	limits   Limits
	now      func() time.Time
	log      *slog.Logger
	pages    *pagination.Signer
	// noRoleHints remembers the pools whose missing roles were logged
	// (development mode only; nil otherwise).
	noRoleHints *hintOnce
	// resolveRole and principalTags are roles.ResolveTraced and roles.PrincipalTags.
	resolveRole   func(*trace.Recorder, *storage.Pool, []*identity.VerifiedLogin, string) (string, error)
	principalTags func(*storage.Pool, []*identity.VerifiedLogin) map[string]string
	validate      func(op string, body []byte) *apierr.Error
	// life holds the short lifetimes (nil: AWS's).
	life *lifetimeTable
	// minter is the test issuer (nil: test logins are off).
	minter identity.LoginMinter
}

// New returns the operations over cfg.
func New(cfg Config) *Service {
	s := &Service{
		store:    cfg.Store,
		tokens:   cfg.Tokens,
		logins:   cfg.Logins,
		sts:      cfg.STS,
		roleARNs: cfg.RoleARNs,
		limits:   cfg.Limits.WithDefaults(),
		now:      cfg.Now,
		log:      cfg.Logger,
		pages:    cfg.Pages,
		validate: cfg.Validate,
		minter:   cfg.Minter,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.roleARNs == nil {
		s.roleARNs = sts.AWSRoleARNs
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.DevMode {
		s.noRoleHints = &hintOnce{seen: map[string]bool{}}
	}
	if cfg.ShortLifetimes {
		s.life = &lifetimeTable{enabled: true, config: cfg.Lifetimes, accounts: map[string]Lifetimes{}, pools: map[string]Lifetimes{}}
	}
	if _, local := cfg.STS.(identity.InProcessVendor); local {
		s.claims, _ = cfg.Tokens.(identity.ClaimsIssuer)
	}
	s.resolveRole, s.principalTags = roleFuncs()
	return s
}

// Operations returns the dispatch table: all 23 operations. Which of them
// AWS serves unsigned comes from the model (botocore's authtype "none").
func (s *Service) Operations() []Operation {
	svc, err := apimodel.CognitoIdentityService()
	if err != nil {
		panic(err) // the embedded model is part of the binary; its tests parse it
	}
	table := []Operation{
		op("CreateIdentityPool", s.CreateIdentityPool),
		op("UpdateIdentityPool", s.UpdateIdentityPool),
		op("DescribeIdentityPool", s.DescribeIdentityPool),
		op("DeleteIdentityPool", s.DeleteIdentityPool),
		op("ListIdentityPools", s.ListIdentityPools),
		op("SetIdentityPoolRoles", s.SetIdentityPoolRoles),
		op("GetIdentityPoolRoles", s.GetIdentityPoolRoles),
		op("SetPrincipalTagAttributeMap", s.SetPrincipalTagAttributeMap),
		op("GetPrincipalTagAttributeMap", s.GetPrincipalTagAttributeMap),
		op("TagResource", s.TagResource),
		op("UntagResource", s.UntagResource),
		op("ListTagsForResource", s.ListTagsForResource),
		op("DescribeIdentity", s.DescribeIdentity),
		op("ListIdentities", s.ListIdentities),
		op("DeleteIdentities", s.DeleteIdentities),
		op("LookupDeveloperIdentity", s.LookupDeveloperIdentity),
		op("MergeDeveloperIdentities", s.MergeDeveloperIdentities),
		op("UnlinkDeveloperIdentity", s.UnlinkDeveloperIdentity),
		op("GetOpenIdTokenForDeveloperIdentity", s.GetOpenIdTokenForDeveloperIdentity),
		op("GetId", s.GetId),
		op("GetOpenIdToken", s.GetOpenIdToken),
		op("GetCredentialsForIdentity", s.GetCredentialsForIdentity),
		op("UnlinkIdentity", s.UnlinkIdentity),
	}
	for i := range table {
		if m := svc.Operations[table[i].Name]; m != nil {
			table[i].Unsigned = m.Unsigned
		}
	}
	return table
}

// Client-visible texts AWS uses (api-notes §4.12).
const (
	msgLoginsDontMatch = "Logins don't match. Please include at least one valid login for this identity or identity pool."
	msgNoGuests        = "Unauthenticated access is not supported for this identity pool."
	msgBadPoolConfig   = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
	msgUnsupportedIdP  = "Token is not from a supported provider of this identity pool."
	msgNoDevProvider   = "This identity pool does not support the specified developer provider."
)

// msgSTSUnavailable answers GetCredentialsForIdentity when the external STS
// gave no usable answer. [inf] AWS's text for its own STS failing is unknown.
const msgSTSUnavailable = "Credentials cannot be obtained right now. Please try again later."

func poolNotFound(id string) *apierr.Error {
	return apierr.NotFoundf("IdentityPool '%s' not found.", id)
}

func identityNotFound(id string) *apierr.Error {
	return apierr.NotFoundf("Identity '%s' not found.", id)
}

// poolIdentity reads identity id of pool: identityNotFound when there is
// none, or it belongs to another pool (the caller may not learn which).
func poolIdentity(r storage.Reader, pool *storage.Pool, id string) (*storage.Identity, error) {
	ident, err := r.GetIdentity(id)
	if isNotFound(err) || (err == nil && ident.PoolID != pool.ID) {
		return nil, identityNotFound(id)
	}
	return ident, err
}

func forbidden(id string) *apierr.Error {
	return apierr.NotAuthorizedf("Access to Identity '%s' is forbidden.", id)
}

// storeErr turns a storage error into what the client sees. *apierr.Error
// values returned by transaction bodies pass through unchanged.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apierr.Error
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, storage.ErrConflict):
		return apierr.New(apierr.ConcurrentModification, "The resource was modified concurrently. Please retry.").Wrap(err)
	case storage.WriteCondition(err) != "":
		// InternalErrorException (500) is in every operation's model, so
		// every SDK knows and retries it.
		return apierr.CannotStore(apierr.JSON, apierr.InternalError, err)
	case errors.Is(err, storage.ErrUnavailable):
		return apierr.New(apierr.ServiceUnavailable, "Service unavailable. Please retry.").Wrap(err)
	}
	return apierr.Internal(err)
}

// owns reports whether the signed caller may see pool p: pools belong to the
// account and region of the call. An empty caller region (a wire that did not
// fill it) matches any region.
func owns(c *auth.Caller, p *storage.Pool) bool {
	return p.AccountID == c.Account() && (c.Region == "" || c.Region == p.Region)
}

// callerPool reads the caller's pool id; another account's or region's pool
// is reported exactly like a missing one.
func callerPool(r storage.Reader, c *auth.Caller, id string) (*storage.Pool, error) {
	p, err := r.GetPool(id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !owns(c, p)) {
		return nil, poolNotFound(id)
	}
	return p, err
}

// callerIdentity reads an identity of one of the caller's pools; another
// account's or region's identity is reported like a missing one.
func callerIdentity(r storage.Reader, c *auth.Caller, id string) (*storage.Identity, *storage.Pool, error) {
	ident, p, err := publicIdentity(r, id)
	if err == nil && !owns(c, p) {
		return nil, nil, identityNotFound(id)
	}
	return ident, p, err
}

// publicIdentity reads an identity and its pool for an unsigned operation,
// which needs no account: knowing the identity id is the point.
func publicIdentity(r storage.Reader, id string) (*storage.Identity, *storage.Pool, error) {
	ident, err := r.GetIdentity(id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, identityNotFound(id)
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := r.GetPool(ident.PoolID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, identityNotFound(id)
	}
	return ident, p, err
}

// readPool reads the caller's pool in its own read transaction.
func (s *Service) readPool(ctx context.Context, c *auth.Caller, id string) (*storage.Pool, error) {
	var p *storage.Pool
	err := s.view(ctx, func(r storage.Reader) (err error) {
		p, err = callerPool(r, c, id)
		return err
	})
	return p, err
}

// view runs a read transaction and maps its error for the client.
func (s *Service) view(ctx context.Context, fn func(storage.Reader) error) error {
	return storeErr(s.store.View(ctx, fn))
}

// update runs a write transaction and maps its error for the client.
func (s *Service) update(ctx context.Context, fn func(storage.Tx) error) error {
	return storeErr(s.store.Update(ctx, fn))
}

// isAPINotFound reports whether err is a ResourceNotFoundException.
func isAPINotFound(err error) bool {
	var ae *apierr.Error
	return errors.As(err, &ae) && ae.Code == apierr.ResourceNotFound
}

// maxRoleHints bounds the pools remembered by hintOnce; past it the hints stop.
const maxRoleHints = 10000

// hintOnce records keys seen, up to maxRoleHints.
type hintOnce struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether key is new (and records it).
func (h *hintOnce) first(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.seen[key] || len(h.seen) >= maxRoleHints {
		return false
	}
	h.seen[key] = true
	return true
}

// hintNoRoles logs, in development mode and once per pool, the command that
// gives a pool without roles the roles GetCredentialsForIdentity needs (any
// ARN works in development mode). The client still gets AWS's refusal.
func (s *Service) hintNoRoles(pool *storage.Pool) {
	if s.noRoleHints == nil || len(pool.Roles) > 0 || !s.noRoleHints.first(pool.ID) {
		return
	}
	s.log.Warn("identity pool has no roles, so GetCredentialsForIdentity is refused (as on AWS); fix: "+
		"idpool set-identity-pool-roles --identity-pool-id "+pool.ID+
		" --roles authenticated=arn:aws:iam::"+pool.AccountID+":role/user,unauthenticated=arn:aws:iam::"+pool.AccountID+":role/guest",
		"pool", pool.ID)
}
