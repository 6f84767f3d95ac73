// Package stsquery is the embedded STS's operation table on the Query
// protocol: AssumeRoleWithWebIdentity and GetCallerIdentity. It validates
// forms with STS's constraints and texts, reads the IAM records a call
// needs in one snapshot, and shapes the XML; package sts decides.
package stsquery

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/policy"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/sts"
)

// Patterns of STS's model, quoted in ValidationError messages as written there.
const (
	sessionNamePattern = `[\w+=,.@-]*`
	arnPattern         = `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`
	policyPattern      = `[\u0009\u000A\u000D\u0020-\u00FF]+`
)

// XMLNamespace is STS's response namespace.
const XMLNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// APIVersion is the STS API version clients send.
const APIVersion = "2011-06-15"

// Service is STS over the Query protocol; it implements awsquery.Service.
type Service struct {
	sts     *sts.Service
	store   storage.Store
	valid   *validators
	actions map[string]awsquery.Action
}

// New returns the STS operation table over core, reading IAM from store.
func New(core *sts.Service, store storage.Store) *Service {
	s := &Service{sts: core, store: store, valid: newValidators()}
	s.actions = map[string]awsquery.Action{
		"AssumeRoleWithWebIdentity": {Unsigned: true, Call: s.assumeRoleWithWebIdentity},
		"GetCallerIdentity":         {Call: s.getCallerIdentity},
	}
	return s
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

type validators struct {
	sessionName, arn, policy *regexp.Regexp
}

func newValidators() *validators {
	return &validators{
		sessionName: regexp.MustCompile(`^[\w+=,.@-]*$`),
		arn:         regexp.MustCompile(`^[\t\n\r\x{20}-\x{7E}\x{85}\x{A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]+$`),
		policy:      regexp.MustCompile(`^[\t\n\r\x{20}-\x{FF}]+$`),
	}
}

// parseAssume validates an AssumeRoleWithWebIdentity form with STS's
// constraints and messages, all violations at once.
func (vs *validators) parseAssume(form url.Values) (sts.AssumeInput, error) {
	var v awsquery.Validation
	in := sts.AssumeInput{Duration: sts.DefaultDuration * time.Second}
	var ok bool
	if in.RoleARN, ok = awsquery.Get(form, "RoleArn"); v.Required("roleArn", ok) {
		v.Length("roleArn", in.RoleARN, 20, 2048, false)
		v.Pattern("roleArn", in.RoleARN, vs.arn, arnPattern)
	}
	if in.SessionName, ok = awsquery.Get(form, "RoleSessionName"); v.Required("roleSessionName", ok) {
		v.Length("roleSessionName", in.SessionName, 2, 64, false)
		v.Pattern("roleSessionName", in.SessionName, vs.sessionName, sessionNamePattern)
	}
	if in.Token, ok = awsquery.Get(form, "WebIdentityToken"); v.Required("webIdentityToken", ok) {
		v.Length("webIdentityToken", in.Token, 4, 20000, true)
	}
	if p, ok := awsquery.Get(form, "ProviderId"); ok {
		v.Length("providerId", p, 4, 2048, false)
	}
	arns := awsquery.Members(form, "PolicyArns", "arn")
	v.MaxItems("policyArns", len(arns), 10)
	for _, a := range arns {
		v.Length("policyArns.member.arn", a, 20, 2048, false)
	}
	pol, hasPolicy := awsquery.Get(form, "Policy")
	if hasPolicy {
		v.Length("policy", pol, 1, 2048, false)
		v.Pattern("policy", pol, vs.policy, policyPattern)
	}
	if d, ok := awsquery.Get(form, "DurationSeconds"); ok {
		if n, ok := v.Int("durationSeconds", d, sts.MinDuration, sts.MaxDuration); ok {
			in.Duration = time.Duration(n) * time.Second
		}
	}
	if err := v.Err(); err != nil {
		return in, err
	}
	if hasPolicy {
		// idpool does not evaluate permissions, so a session policy cannot
		// narrow anything; it is still checked, as STS does.
		if _, err := policy.Parse([]byte(pol)); err != nil {
			msg := "The policy is not in the valid JSON format."
			if pe, ok := err.(*policy.Error); ok {
				msg = pe.Message
			}
			return in, apierr.Queryf("MalformedPolicyDocument", "%s", msg)
		}
	}
	return in, nil
}

func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, _ *auth.Caller, form url.Values) (any, error) {
	in, err := s.valid.parseAssume(form)
	if err != nil {
		return nil, err
	}
	if err := s.readIAM(ctx, &in); err != nil {
		return nil, err
	}
	out, err := s.sts.Assume(ctx, in)
	if err != nil {
		return nil, err
	}
	return assumeResult{
		Credentials: credentialsXML{
			AccessKeyID: out.Credentials.AccessKeyID, SecretAccessKey: out.Credentials.SecretAccessKey,
			SessionToken: out.Credentials.SessionToken, Expiration: out.Credentials.Expiration.Format(timeFormat),
		},
		SubjectFromWebIdentityToken: out.Claims.Subject,
		AssumedRoleUser: assumedRoleUserXML{
			AssumedRoleID: out.Role.RoleID + ":" + out.Session,
			Arn:           sts.AssumedRoleARN(out.Role.AccountID, out.Role.RoleName, out.Session),
		},
		Provider: out.Provider,
		Audience: out.Claims.Audience,
	}, nil
}

// readIAM reads, in one snapshot, the role the call names and the IAM OIDC
// provider its token's issuer needs (when it is not idpool's own).
func (s *Service) readIAM(ctx context.Context, in *sts.AssumeInput) error {
	account, name, external := s.sts.ProviderOf(in.Token, in.RoleARN)
	err := s.store.View(ctx, func(r storage.Reader) error {
		role, err := iam.RoleByARN(r, in.RoleARN)
		switch {
		case err == nil:
			in.Role = role
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		if !external {
			return nil
		}
		p, err := iam.GetOIDCProvider(r, account, name)
		switch {
		case err == nil:
			in.Provider = p
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		return nil
	})
	if err != nil {
		return apierr.InternalIn(apierr.Query, err)
	}
	return nil
}

// getCallerIdentity answers for any signed caller: STS needs no permission.
func (s *Service) getCallerIdentity(_ context.Context, c *auth.Caller, _ url.Values) (any, error) {
	if c == nil || c.Principal == nil {
		return nil, apierr.Queryf(apierr.QueryMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	p := c.Principal
	return callerIdentityResult{UserID: p.UserID, Account: p.AccountID, Arn: p.ARN}, nil
}
