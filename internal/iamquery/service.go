// Package iamquery is IAM's operation table on the Query protocol: roles
// (CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, and
// the inline, attached and boundary policies, tags and updates terraform
// manages), OpenID Connect and SAML providers, and GetUser for root keys, signed with an account's long-term
// keys. It decodes forms, opens the transactions and shapes the XML; the
// records and their rules are package iam's. Each account sees only its own.
package iamquery

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/pagination"
	"github.com/idpool/idpool/internal/storage"
)

// XMLNamespace is IAM's response namespace.
const XMLNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// APIVersion is the IAM API version clients send.
const APIVersion = "2010-05-08"

// Config configures the IAM service.
type Config struct {
	Store storage.Store
	// Issuer is idpool's token issuer URL: trust policies naming its host as
	// the principal are held to the aud rule of cognito-identity.amazonaws.com.
	Issuer string
	Now    func() time.Time
	Logger *slog.Logger
	// Pages signs and checks ListRoles markers (the NextToken key of
	// pagination.Open); nil: one is opened on Store.
	Pages *pagination.Signer
}

// Service is IAM over the Query protocol; it implements awsquery.Service.
type Service struct {
	store    storage.Store
	pages    *pagination.Signer
	host     string // the issuer's host (and path), "" when not configured
	now      func() time.Time
	log      *slog.Logger
	valid    *validators
	samlName *regexp.Regexp
	thumb    *regexp.Regexp
	actions  map[string]awsquery.Action
}

// New returns the IAM service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("iamquery: Config.Store is required")
	}
	s := &Service{store: cfg.Store, host: issuerHost(cfg.Issuer), now: cfg.Now, log: cfg.Logger, valid: newValidators(),
		samlName: regexp.MustCompile(`^` + samlNamePattern + `$`),
		thumb:    regexp.MustCompile(`^[0-9a-fA-F]{40}$`)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pages = cfg.Pages; s.pages == nil {
		var err error
		if s.pages, err = pagination.Open(context.Background(), cfg.Store); err != nil {
			return nil, err
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	roles := map[string]actionFunc{
		"CreateRole":             s.createRole,
		"GetRole":                s.getRole,
		"ListRoles":              s.listRoles,
		"DeleteRole":             s.deleteRole,
		"UpdateAssumeRolePolicy": s.updateAssumeRolePolicy,
		// What terraform's aws_iam_role and CloudFormation's AWS::IAM::Role
		// call besides (docs/stack-files.md "Terraform").
		"PutRolePolicy":                 s.putRolePolicy,
		"GetRolePolicy":                 s.getRolePolicy,
		"DeleteRolePolicy":              s.deleteRolePolicy,
		"ListRolePolicies":              s.listRolePolicies,
		"AttachRolePolicy":              s.attachRolePolicy,
		"DetachRolePolicy":              s.detachRolePolicy,
		"ListAttachedRolePolicies":      s.listAttachedRolePolicies,
		"PutRolePermissionsBoundary":    s.putRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary": s.deleteRolePermissionsBoundary,
		"TagRole":                       s.tagRole,
		"UntagRole":                     s.untagRole,
		"ListRoleTags":                  s.listRoleTags,
		"UpdateRole":                    s.updateRole,
		"UpdateRoleDescription":         s.updateRoleDescription,
		"ListInstanceProfilesForRole":   s.listInstanceProfilesForRole,
	}
	providers := map[string]actionFunc{
		"CreateOpenIDConnectProvider":             s.createOIDC,
		"GetOpenIDConnectProvider":                s.getOIDC,
		"ListOpenIDConnectProviders":              s.listOIDC,
		"DeleteOpenIDConnectProvider":             s.deleteOIDC,
		"AddClientIDToOpenIDConnectProvider":      s.addClientID,
		"RemoveClientIDFromOpenIDConnectProvider": s.removeClientID,
		"UpdateOpenIDConnectProviderThumbprint":   s.updateThumbprint,
		"TagOpenIDConnectProvider":                s.tagOIDC,
		"UntagOpenIDConnectProvider":              s.untagOIDC,
		"ListOpenIDConnectProviderTags":           s.listOIDCTags,
		"GetUser":                                 s.getUser,
		"CreateSAMLProvider":                      s.createSAML,
		"GetSAMLProvider":                         s.getSAML,
		"ListSAMLProviders":                       s.listSAML,
		"DeleteSAMLProvider":                      s.deleteSAML,
	}
	s.actions = make(map[string]awsquery.Action, len(roles)+len(providers))
	for name, fn := range roles {
		s.actions[name] = awsquery.Action{Call: signed(name, roleResource, fn)}
	}
	for name, fn := range providers {
		s.actions[name] = awsquery.Action{Call: signed(name, accountResource, fn)}
	}
	return s, nil
}

// SigningName implements awsquery.Service.
func (s *Service) SigningName() string { return "iam" }

// XMLNamespace implements awsquery.Service.
func (s *Service) XMLNamespace() string { return XMLNamespace }

// APIVersion names IAM's API version for the Query router.
func (s *Service) APIVersion() string { return APIVersion }

// Action implements awsquery.Service.
func (s *Service) Action(name string) (awsquery.Action, bool) {
	a, ok := s.actions[name]
	return a, ok
}

type actionFunc func(ctx context.Context, account string, form url.Values) (any, error)

// signed runs an action for an account's long-term keys only. idpool has no
// IAM permission policies, so temporary credentials (sessions vended to app
// users) are refused every IAM action, as a role without IAM permissions is.
func signed(action string, resource func(account string, form url.Values) string, fn actionFunc) func(context.Context, *auth.Caller, url.Values) (any, error) {
	return func(ctx context.Context, c *auth.Caller, form url.Values) (any, error) {
		if c == nil || c.Principal == nil {
			return nil, accessDenied("anonymous", action, "*")
		}
		if c.Principal.Session != nil {
			return nil, accessDenied(c.Principal.ARN, action, resource(c.Principal.AccountID, form))
		}
		return fn(ctx, c.Principal.AccountID, form)
	}
}

// roleResource is the resource an access-denied message of a role action
// names: the role, or all of the account's roles.
func roleResource(account string, form url.Values) string {
	if name, ok := awsquery.Get(form, "RoleName"); ok {
		return "arn:aws:iam::" + account + ":role/" + name
	}
	return "arn:aws:iam::" + account + ":role/*"
}

// accountResource is the resource of the provider actions' denials.
func accountResource(account string, _ url.Values) string { return "arn:aws:iam::" + account + ":*" }

// issuerHost is an issuer URL without its scheme and trailing slash.
func issuerHost(issuer string) string {
	if _, rest, ok := strings.Cut(issuer, "://"); ok {
		return strings.TrimSuffix(rest, "/")
	}
	return ""
}
