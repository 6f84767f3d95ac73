package ops

import (
	"context"
	"errors"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

var errNoIssuer = errors.New("ops: no token issuer configured")

// Enhanced flow parameters (api-notes §4.4).
const (
	credentialsSessionName = "CognitoIdentityCredentials"
	credentialsDuration    = time.Hour
)

type getCredentialsInput struct {
	IdentityId    string
	Logins        map[string]string
	CustomRoleArn string
}

type credentialsJSON struct {
	AccessKeyId  string
	SecretKey    string
	SessionToken string
	Expiration   *epochSeconds `json:",omitempty"`
}

type getCredentialsOutput struct {
	IdentityId  string
	Credentials credentialsJSON
}

// GetCredentialsForIdentity is the enhanced flow: resolve the identity like
// GetOpenIdToken, choose the role, and exchange a fresh OpenID token for
// credentials at the STS.
func (s *Service) GetCredentialsForIdentity(ctx context.Context, c *auth.Caller, in *getCredentialsInput) (*getCredentialsOutput, error) {
	c.Region = regionOf(in.IdentityId)
	res, err := s.resolve(ctx, resolveRequest{
		load:   identityPool(in.IdentityId),
		logins: in.Logins,
		link:   linkRequest{target: in.IdentityId, now: s.now().UTC()},
	})
	if err != nil {
		return nil, err
	}
	pool, logins, ident := res.pool, res.logins, res.identity
	roleLogins := logins
	if !ident.Authenticated {
		roleLogins = nil
	}
	tr := trace.From(ctx)
	if s.sts == nil {
		tr.Step(trace.PhaseSTS, "configured", trace.Fail, "The server has no STS to vend credentials.")
		return nil, apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig).Wrap(errors.New("ops: no STS configured"))
	}
	role, err := s.resolveRole(tr, pool, roleLogins, in.CustomRoleArn)
	if err != nil || role == "" {
		s.hintNoRoles(pool)
	}
	if err != nil {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig).Wrap(err)
	}
	if role == "" {
		return nil, apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
	}
	var tags map[string]string
	if ident.Authenticated {
		tags = s.principalTags(pool, roleLogins)
	}
	req := identity.AssumeRequest{
		AccountID:   pool.AccountID,
		RoleARN:     role,
		SessionName: credentialsSessionName,
		Duration:    time.Duration(s.lifetimes(pool.AccountID, pool.ID).Credentials),
		Tags:        tags,
	}
	if err := s.webIdentity(ctx, &req, tokenRequest(pool, ident, logins, nil, openIDTokenTTL, tags)); err != nil {
		return nil, err
	}
	if req.Role, err = s.roleRecord(ctx, role); err != nil {
		return nil, err
	}
	creds, err := s.sts.AssumeRoleWithWebIdentity(ctx, req)
	traceSTS(tr, role, err)
	switch {
	case err == nil:
	case errors.Is(err, identity.ErrSTSUnavailable):
		// Nothing is wrong with the pool: a retryable server-side
		// failure, its cause in the request's error log line.
		return nil, apierr.Unavailable(apierr.JSON, apierr.InternalError, msgSTSUnavailable, err)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		// The STS's reasons (trust policy, missing role) are the pool
		// owner's business; the client gets AWS's generic text (an
		// external STS logs what it answered).
		return nil, apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig).Wrap(err)
	}
	return &getCredentialsOutput{
		IdentityId: ident.ID,
		Credentials: credentialsJSON{
			AccessKeyId:  creds.AccessKeyID,
			SecretKey:    creds.SecretAccessKey,
			SessionToken: creds.SessionToken,
			Expiration:   stamp(creds.Expiration),
		},
	}, nil
}

// webIdentity gives req the identity's OpenID token for tr: its claims,
// unsigned, for the STS in this process (no RSA signature, the same claims
// the token would carry), a signed token for any other STS.
func (s *Service) webIdentity(ctx context.Context, req *identity.AssumeRequest, tr identity.TokenRequest) error {
	if s.claims == nil {
		if s.tokens == nil {
			return apierr.Internal(errNoIssuer)
		}
		token, err := s.tokens.Issue(ctx, tr)
		if err != nil {
			return apierr.As(err)
		}
		req.WebIdentityToken = token
		return nil
	}
	claims, err := s.claims.Claims(ctx, tr)
	if err != nil {
		return apierr.As(err)
	}
	req.Claims = claims
	return nil
}

// roleRecord reads the IAM record of the role the call resolved to (nil when
// IAM has none), for the embedded STS's trust check.
func (s *Service) roleRecord(ctx context.Context, arn string) (*iam.Role, error) {
	var role *iam.Role
	err := s.view(ctx, func(r storage.Reader) error {
		var err error
		role, err = iam.RoleByARN(r, arn)
		if isNotFound(err) {
			role, err = nil, nil
		}
		return err
	})
	return role, err
}
