package ops

import (
	"context"
	"errors"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// ExplainCredentialsName is the dry run's extension operation.
const ExplainCredentialsName = "ExplainCredentials"

type explainCredentialsInput struct {
	IdentityPoolId string            `json:"IdentityPoolId"`
	IdentityId     string            `json:"IdentityId,omitempty"`
	Logins         map[string]string `json:"Logins,omitempty"`
	CustomRoleArn  string            `json:"CustomRoleArn,omitempty"`
}

// ExplainError is the error GetCredentialsForIdentity would answer.
type ExplainError struct {
	Type    string `json:"Type"`
	Message string `json:"Message"`
}

// ExplainOutcome is what GetCredentialsForIdentity would answer: the role it
// would vend credentials for, or its error.
type ExplainOutcome struct {
	RoleArn string        `json:"RoleArn,omitempty"`
	Error   *ExplainError `json:"Error,omitempty"`
}

type explainCredentialsOutput struct {
	Trace   *trace.Trace   `json:"Trace"`
	Outcome ExplainOutcome `json:"Outcome"`
}

// ExplainCredentials is a dry run of GetCredentialsForIdentity (and of GetId
// first when IdentityId is absent) for one of the caller's pools: the same
// checks, recorded in a trace, and nothing created, linked, changed or
// vended. The STS's trust check runs when the STS is the embedded one.
func (s *Service) ExplainCredentials(ctx context.Context, c *auth.Caller, in *explainCredentialsInput) (*explainCredentialsOutput, error) {
	if in.IdentityPoolId == "" {
		return nil, apierr.InvalidParameterf("IdentityPoolId is required.")
	}
	tr := trace.New()
	ctx = trace.With(ctx, tr)
	tr.Step(trace.PhasePool, "dryRun", trace.Info, "A dry run: nothing is created, linked or changed, and no credentials are vended.")
	var (
		pool *storage.Pool
		reqs []identity.LoginRequest
	)
	err := s.view(ctx, func(r storage.Reader) (err error) {
		if pool, err = callerPool(r, c, in.IdentityPoolId); err != nil {
			return err
		}
		if in.IdentityId != "" {
			if _, err := poolIdentity(r, pool, in.IdentityId); err != nil {
				return err
			}
		}
		reqs, err = readLogins(r, pool, in.Logins)
		return err
	})
	if err != nil {
		return nil, err // not the caller's pool or identity: the call itself is refused
	}
	role, cerr := s.explain(ctx, pool, reqs, in)
	out := &explainCredentialsOutput{}
	var typ, msg string
	if cerr != nil {
		e := apierr.AsIn(apierr.JSON, cerr)
		typ, msg = e.Code, e.Message
		out.Outcome.Error = &ExplainError{Type: typ, Message: msg}
	} else {
		out.Outcome.RoleArn = role
	}
	out.Trace, _ = tr.Finish(c.RequestID, ExplainCredentialsName, s.now(), typ, msg, cerr != nil && apierr.AsIn(apierr.JSON, cerr).Status() >= 500)
	return out, nil
}

// explain runs the dry run's decisions and returns the role, or the error
// GetCredentialsForIdentity would answer.
func (s *Service) explain(ctx context.Context, pool *storage.Pool, reqs []identity.LoginRequest, in *explainCredentialsInput) (string, error) {
	tr := trace.From(ctx)
	tracePool(tr, pool)
	logins, err := s.verifyLogins(ctx, pool, reqs)
	if err != nil {
		return "", err
	}
	newID, err := newIdentityID(pool.Region)
	if err != nil {
		return "", apierr.Internal(err)
	}
	lr := linkRequest{pool: pool, target: in.IdentityId, logins: logins, newID: newID, now: s.now().UTC()}
	var res *linkResult
	err = s.view(ctx, func(r storage.Reader) error {
		var lerr error
		res, lerr = s.linkTx(dryTx{Reader: r}, lr)
		return lerr
	})
	traceResolved(tr, in.IdentityId, &resolved{pool: pool, logins: logins, linkResult: res}, err)
	if err != nil {
		return "", err
	}
	ident := res.identity
	roleLogins := logins
	if !ident.Authenticated {
		roleLogins = nil
	}
	if s.sts == nil {
		tr.Step(trace.PhaseSTS, "configured", trace.Fail, "The server has no STS to vend credentials.")
		return "", apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
	}
	role, err := s.resolveRole(tr, pool, roleLogins, in.CustomRoleArn)
	if err != nil {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			return "", ae
		}
		return "", apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
	}
	if role == "" {
		return "", apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
	}
	checker, ok := s.sts.(identity.AssumeChecker)
	if !ok {
		tr.Step(trace.PhaseSTS, "external", trace.Info, "The STS is an external one: a dry run does not ask it, so its trust check is not known.", "roleArn", role)
		return role, nil
	}
	var tags map[string]string
	if ident.Authenticated {
		tags = s.principalTags(pool, roleLogins)
	}
	// The same web identity GetCredentialsForIdentity hands the STS.
	req := identity.AssumeRequest{
		AccountID: pool.AccountID, RoleARN: role, SessionName: credentialsSessionName,
		Duration: time.Duration(s.lifetimes(pool.AccountID, pool.ID).Credentials), Tags: tags,
	}
	if err := s.webIdentity(ctx, &req, tokenRequest(pool, ident, logins, nil, openIDTokenTTL, tags)); err != nil {
		return "", err
	}
	if req.Role, err = s.roleRecord(ctx, role); err != nil {
		return "", err
	}
	err = checker.CheckAssume(ctx, req)
	if err == nil {
		tr.Step(trace.PhaseSTS, "assume", trace.Pass, "The STS would vend credentials for "+role+".", "roleArn", role)
		return role, nil
	}
	traceSTS(tr, role, err)
	return "", apierr.New(apierr.InvalidIdentityPoolConfiguration, msgBadPoolConfig)
}

// dryTx is a storage.Tx over a read snapshot whose writes succeed without
// writing anything: logic written for a write transaction runs to its end
// and says what it would have written. A SAML assertion's replay is not
// detected through it (the insert that would fail is not made).
type dryTx struct{ storage.Reader }

func (dryTx) CreatePool(*storage.Pool) error              { return nil }
func (dryTx) UpdatePool(*storage.Pool) error              { return nil }
func (dryTx) DeletePool(string) error                     { return nil }
func (dryTx) CreateIdentity(*storage.Identity) error      { return nil }
func (dryTx) UpdateIdentity(*storage.Identity) error      { return nil }
func (dryTx) DeleteIdentity(string) error                 { return nil }
func (dryTx) PutResource(*storage.Resource) error         { return nil }
func (dryTx) CreateResource(*storage.Resource) error      { return nil }
func (dryTx) DeleteResource(string, string, string) error { return nil }
func (dryTx) PutBlob(*storage.Blob) error                 { return nil }
