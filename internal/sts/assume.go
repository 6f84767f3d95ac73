package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// Session durations (seconds) STS accepts, and its default.
const (
	minDuration     = 900
	maxDuration     = 43200
	defaultDuration = 3600
)

// EnhancedFlowSessionName is the session name Cognito uses for
// GetCredentialsForIdentity (observed: assumed-role/ROLE/CognitoIdentityCredentials).
const EnhancedFlowSessionName = "CognitoIdentityCredentials"

// assumeInput is an AssumeRoleWithWebIdentity call, HTTP or in-process.
type assumeInput struct {
	RoleARN     string
	SessionName string
	Token       string
	Duration    time.Duration
	// Tags are added to the token's own session tags (in-process callers).
	Tags map[string]string
}

// assumed is the outcome: credentials and what the response reports.
type assumed struct {
	creds    identity.Credentials
	claims   *identity.OpenIDClaims
	role     *iam.Role
	session  string
	provider string
}

func (s *Service) assume(ctx context.Context, in assumeInput) (*assumed, error) {
	arn, err := iam.ParseRoleARN(in.RoleARN)
	if err != nil {
		return nil, apierr.New(awsquery.CodeValidationError, "Request ARN is invalid")
	}
	wi, err := s.verifyToken(ctx, in.Token, arn.AccountID)
	if err != nil {
		return nil, err
	}
	claims := wi.claims
	role, err := s.role(ctx, in.RoleARN, arn)
	if err != nil {
		return nil, err
	}
	if in.Duration > time.Duration(role.MaxSessionDuration)*time.Second {
		return nil, apierr.New(awsquery.CodeValidationError, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
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
	if err := s.checkTrust(role, wi, tags); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	rec := &sessionRecord{
		Secret: newSecret(), Account: role.AccountID, RoleARN: role.ARN(), RoleName: role.RoleName,
		RoleID: role.RoleID, SessionName: in.SessionName, Expires: now.Add(in.Duration).Unix(),
		Tags: tags, Subject: claims.Subject, Issuer: claims.Issuer, Audience: claims.Audience,
	}
	keyID := iam.UniqueID("ASIA", 20)
	token, err := s.sealer.seal(ctx, keyID, rec)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	s.log.InfoContext(ctx, "sts credentials issued", "role", rec.RoleARN, "session", in.SessionName,
		"subject", claims.Subject, "access_key_id", keyID, "expires", time.Unix(rec.Expires, 0).UTC())
	return &assumed{
		creds:    identity.Credentials{AccessKeyID: keyID, SecretAccessKey: rec.Secret, SessionToken: token, Expiration: time.Unix(rec.Expires, 0).UTC()},
		claims:   claims,
		role:     role,
		session:  in.SessionName,
		provider: wi.provider,
	}, nil
}

// role finds the role to assume; unknown roles are refused like untrusted
// ones (AWS does not tell the two apart), except in development mode.
func (s *Service) role(ctx context.Context, raw string, arn iam.RoleARN) (*iam.Role, error) {
	role, err := iam.LookupRole(ctx, s.store, raw)
	switch {
	case err == nil:
		return role, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, apierr.Internal(err)
	case s.devMode:
		if _, seen := s.devLogged.LoadOrStore(raw, true); !seen {
			s.log.WarnContext(ctx, "development mode: trusting a role IAM does not know; create it with `aws iam create-role` to check its trust policy",
				"role", raw)
		}
		return devRole(arn), nil
	}
	return nil, notAuthorized()
}

func notAuthorized() error {
	return apierr.New(awsquery.CodeAccessDenied, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

// newSecret returns a 40-character secret access key, like AWS's.
func newSecret() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// AssumeRoleWithWebIdentity implements identity.CredentialVendor for the
// enhanced flow, with the same checks as the HTTP action. Errors are
// *apierr.Error with STS's codes.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, r identity.AssumeRequest) (*identity.Credentials, error) {
	in := assumeInput{RoleARN: r.RoleARN, SessionName: r.SessionName, Token: r.WebIdentityToken, Duration: r.Duration, Tags: r.Tags}
	if in.SessionName == "" {
		in.SessionName = EnhancedFlowSessionName
	}
	if in.Duration == 0 {
		in.Duration = defaultDuration * time.Second
	}
	if in.Duration < minDuration*time.Second || in.Duration > maxDuration*time.Second {
		return nil, apierr.New(awsquery.CodeValidationError, "DurationSeconds must be between %d and %d.", minDuration, maxDuration)
	}
	out, err := s.assume(ctx, in)
	if err != nil {
		return nil, err
	}
	return &out.creds, nil
}
