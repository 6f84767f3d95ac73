package sts

import (
	"context"
	"net/url"
	"regexp"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/policy"
)

// Patterns of STS's model, quoted in ValidationError messages as written there.
const (
	sessionNamePattern = `[\w+=,.@-]*`
	arnPattern         = `[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`
	policyPattern      = `[\u0009\u000A\u000D\u0020-\u00FF]+`
)

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
func (vs *validators) parseAssume(form url.Values) (assumeInput, error) {
	var v awsquery.Validation
	in := assumeInput{Duration: defaultDuration * time.Second}
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
		if n, ok := v.Int("durationSeconds", d, minDuration, maxDuration); ok {
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
			return in, &apierr.Error{Code: "MalformedPolicyDocument", Message: msg}
		}
	}
	return in, nil
}

func (s *Service) assumeRoleWithWebIdentityAction(ctx context.Context, _ *auth.Caller, form url.Values) (any, error) {
	in, err := s.valid.parseAssume(form)
	if err != nil {
		return nil, err
	}
	out, err := s.assume(ctx, in)
	if err != nil {
		return nil, err
	}
	return assumeResult{
		Credentials: credentialsXML{
			AccessKeyID: out.creds.AccessKeyID, SecretAccessKey: out.creds.SecretAccessKey,
			SessionToken: out.creds.SessionToken, Expiration: out.creds.Expiration.Format(timeFormat),
		},
		SubjectFromWebIdentityToken: out.claims.Subject,
		AssumedRoleUser: assumedRoleUserXML{
			AssumedRoleID: out.role.RoleID + ":" + out.session,
			Arn:           assumedRoleARN(out.role.AccountID, out.role.RoleName, out.session),
		},
		Provider: out.provider,
		Audience: out.claims.Audience,
	}, nil
}

// getCallerIdentity answers for any signed caller: STS needs no permission.
func (s *Service) getCallerIdentity(_ context.Context, c *auth.Caller, _ url.Values) (any, error) {
	if c == nil || c.Principal == nil {
		return nil, apierr.New(awsquery.CodeMissingAuthenticationToken, "Request is missing Authentication Token")
	}
	p := c.Principal
	return callerIdentityResult{UserID: p.UserID, Account: p.AccountID, Arn: p.ARN}, nil
}

// assumedRoleARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (the
// role's path is not part of it).
func assumedRoleARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}
