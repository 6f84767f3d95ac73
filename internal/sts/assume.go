package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/trace"
)

// Session durations (seconds) STS accepts, and its default.
const (
	MinDuration     = 900
	MaxDuration     = 43200
	DefaultDuration = 3600
)

// EnhancedFlowSessionName is the session name Cognito uses for
// GetCredentialsForIdentity (observed: assumed-role/ROLE/CognitoIdentityCredentials).
const EnhancedFlowSessionName = "CognitoIdentityCredentials"

// AssumeInput is an AssumeRoleWithWebIdentity call, from the Query action
// or in-process.
type AssumeInput struct {
	RoleARN     string
	SessionName string
	Token       string
	// Claims, from an in-process caller only (AssumeRoleWithWebIdentity as
	// an identity.InProcessVendor), replace Token: the claims of the token
	// idpool's issuer would sign (identity.ClaimsIssuer), taken as verified.
	Claims   *identity.OpenIDClaims
	Duration time.Duration
	// Tags are added to the token's own session tags (in-process callers).
	Tags map[string]string
	// Role is the role's IAM record as the caller read it (nil: IAM has none).
	Role *iam.Role
	// Provider is the IAM OIDC provider the token of another issuer is
	// verified against (ProviderOf says which to read); nil for idpool's
	// own tokens, or when the account has none.
	Provider *iam.OIDCProvider
}

// Assumed is the outcome: credentials and what the response reports.
type Assumed struct {
	Credentials identity.Credentials
	Claims      *identity.OpenIDClaims
	Role        *iam.Role
	Session     string
	// Provider is the response's Provider (the token's issuer as STS names it).
	Provider string
}

// admit runs Assume's checks (token, role, duration, trust policy) and
// returns the role, the web identity and the session tags.
func (s *Service) admit(ctx context.Context, in AssumeInput) (*iam.Role, *webIdentity, map[string]string, error) {
	tr := trace.From(ctx)
	arn, err := iam.ParseRoleARN(in.RoleARN)
	if err != nil {
		tr.Step(trace.PhaseSTS, "roleArn", trace.Fail, "The role ARN is not one this STS takes.", "roleArn", in.RoleARN)
		return nil, nil, nil, apierr.Queryf(apierr.QueryValidation, "Request ARN is invalid")
	}
	tr.Account(arn.AccountID)
	wi, err := s.verifyToken(ctx, in.Token, in.Claims, arn.AccountID, in.Provider)
	if err != nil {
		if tr.On() {
			tr.Step(trace.PhaseSTS, "webIdentityToken", trace.Fail, "The web identity token is refused: "+apierr.As(err).Message, "roleArn", in.RoleARN)
		}
		return nil, nil, nil, err
	}
	claims := wi.claims
	if tr.On() {
		tr.Step(trace.PhaseSTS, "webIdentityToken", trace.Pass, "The web identity token verifies.", "iss", claims.Issuer, "aud", claims.Audience, "sub", claims.Subject)
	}
	role, err := s.role(ctx, in.RoleARN, arn, in.Role, wi)
	if err != nil {
		if tr.On() {
			tr.Step(trace.PhaseSTS, "role", trace.Fail, "IAM has no such role (outside development mode, or for another account's pool, an unknown role is refused as untrusted).", "roleArn", in.RoleARN)
		}
		return nil, nil, nil, err
	}
	if in.Duration > time.Duration(role.MaxSessionDuration)*time.Second {
		if tr.On() {
			tr.Step(trace.PhaseSTS, "duration", trace.Fail, "The session duration exceeds the role's MaxSessionDuration.",
				"duration", in.Duration.String(), "maxSessionDuration", strconv.Itoa(int(role.MaxSessionDuration))+"s")
		}
		return nil, nil, nil, apierr.Queryf(apierr.QueryValidation, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	tags := principalTags(claims)
	if len(in.Tags) > 0 {
		merged := make(map[string]string, len(tags)+len(in.Tags))
		for k, v := range in.Tags {
			merged[k] = v
		}
		for k, v := range tags {
			merged[k] = v
		}
		tags = merged
	}
	if err := s.checkTrust(ctx, role, wi, tags); err != nil {
		return nil, nil, nil, err
	}
	return role, wi, tags, nil
}

// Assume verifies the token, checks the role's trust policy and vends
// credentials. Errors are Query-protocol *apierr.Error with STS's codes.
func (s *Service) Assume(ctx context.Context, in AssumeInput) (*Assumed, error) {
	role, wi, tags, err := s.admit(ctx, in)
	if err != nil {
		return nil, err
	}
	claims := wi.claims
	tr := trace.From(ctx)
	now := s.now().UTC().Truncate(time.Second)
	rec := &sessionRecord{
		Secret: newSecret(), Account: role.AccountID, RoleARN: role.ARN(), RoleName: role.RoleName,
		RoleID: role.RoleID, SessionName: in.SessionName, Expires: now.Add(in.Duration).Unix(),
		Tags: tags, Subject: claims.Subject, Issuer: claims.Issuer, Audience: claims.Audience,
	}
	keyID := iam.UniqueID("ASIA", 20)
	token, err := s.sealer.seal(keyID, rec)
	if err != nil {
		return nil, apierr.InternalIn(apierr.Query, err)
	}
	if tr.On() {
		tr.Step(trace.PhaseSTS, "issued", trace.Pass, "STS vends credentials for the role.", "roleArn", rec.RoleARN, "session", in.SessionName,
			"accessKeyId", keyID, "expiration", time.Unix(rec.Expires, 0).UTC().Format(time.RFC3339))
	}
	s.log.InfoContext(ctx, "sts credentials issued", "role", rec.RoleARN, "session", in.SessionName,
		"subject", claims.Subject, "access_key_id", keyID, "expires", time.Unix(rec.Expires, 0).UTC())
	return &Assumed{
		Credentials: identity.Credentials{AccessKeyID: keyID, SecretAccessKey: rec.Secret, SessionToken: token, Expiration: time.Unix(rec.Expires, 0).UTC()},
		Claims:      claims,
		Role:        role,
		Session:     in.SessionName,
		Provider:    wi.provider,
	}, nil
}

// role is the role to assume; unknown roles are refused like untrusted
// ones (AWS does not tell the two apart), except in development mode, and
// there only for idpool's own tokens of a pool in the role's own account:
// dev trust never reaches into another account (issue 15).
func (s *Service) role(ctx context.Context, raw string, arn iam.RoleARN, stored *iam.Role, wi *webIdentity) (*iam.Role, error) {
	switch {
	case stored != nil:
		return stored, nil
	case s.devMode && wi.own && wi.poolAccount == arn.AccountID:
		if _, seen := s.devLogged.LoadOrStore(raw, true); !seen {
			s.log.WarnContext(ctx, "development mode: trusting a role IAM does not know; create it with `aws iam create-role` to check its trust policy",
				"role", raw)
		}
		return devRole(arn), nil
	}
	return nil, notAuthorized()
}

func notAuthorized() error {
	return apierr.Queryf(apierr.QueryAccessDenied, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

// newSecret returns a 40-character secret access key, like AWS's.
func newSecret() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// InProcess marks the embedded STS as an identity.InProcessVendor.
func (s *Service) InProcess() {}

// AssumeRoleWithWebIdentity implements identity.CredentialVendor for the
// enhanced flow, with the same checks as the HTTP action: on r's token, or
// on r.Claims (identity.InProcessVendor), which skip only the signature.
// Errors are *apierr.Error with STS's codes.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, r identity.AssumeRequest) (*identity.Credentials, error) {
	in := AssumeInput{RoleARN: r.RoleARN, SessionName: r.SessionName, Token: r.WebIdentityToken, Claims: r.Claims,
		Duration: r.Duration, Tags: r.Tags, Role: r.Role}
	if in.SessionName == "" {
		in.SessionName = EnhancedFlowSessionName
	}
	if in.Duration == 0 {
		in.Duration = DefaultDuration * time.Second
	}
	minimum := MinDuration * time.Second
	if s.short {
		minimum = time.Second
	}
	if in.Duration < minimum || in.Duration > MaxDuration*time.Second {
		return nil, apierr.Queryf(apierr.QueryValidation, "DurationSeconds must be between %d and %d.", MinDuration, MaxDuration)
	}
	out, err := s.Assume(ctx, in)
	if err != nil {
		return nil, err
	}
	return &out.Credentials, nil
}

// CheckAssume implements identity.AssumeChecker: AssumeRoleWithWebIdentity's
// checks for the enhanced flow (the token, the role, the duration, the trust
// policy) without vending anything.
func (s *Service) CheckAssume(ctx context.Context, r identity.AssumeRequest) error {
	in := AssumeInput{RoleARN: r.RoleARN, SessionName: r.SessionName, Token: r.WebIdentityToken, Claims: r.Claims, Duration: r.Duration, Tags: r.Tags, Role: r.Role}
	if in.Duration == 0 {
		in.Duration = DefaultDuration * time.Second
	}
	_, _, _, err := s.admit(ctx, in)
	return err
}
