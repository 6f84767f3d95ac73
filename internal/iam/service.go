package iam

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/awsquery"
	"github.com/idpool/idpool/internal/storage"
)

// XMLNamespace is IAM's response namespace.
const XMLNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// IAM error codes (botocore's iam model).
const (
	codeNoSuchEntity            = "NoSuchEntity"
	codeEntityAlreadyExists     = "EntityAlreadyExists"
	codeMalformedPolicyDocument = "MalformedPolicyDocument"
	codeLimitExceeded           = "LimitExceeded"
)

// Config configures the IAM service.
type Config struct {
	Store  storage.Store
	Now    func() time.Time
	Logger *slog.Logger
	// Extra adds actions owned by other packages (CreateOpenIDConnectProvider,
	// ...). They replace built-in actions of the same name.
	Extra map[string]awsquery.Action
}

// Service is IAM over the Query protocol; it implements awsquery.Service.
type Service struct {
	store   storage.Store
	now     func() time.Time
	log     *slog.Logger
	valid   *validators
	actions map[string]awsquery.Action
}

// New returns the IAM service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("iam: Config.Store is required")
	}
	s := &Service{store: cfg.Store, now: cfg.Now, log: cfg.Logger, valid: newValidators()}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.actions = map[string]awsquery.Action{
		"CreateRole":             {Call: s.signed("CreateRole", s.createRole)},
		"GetRole":                {Call: s.signed("GetRole", s.getRole)},
		"ListRoles":              {Call: s.signed("ListRoles", s.listRoles)},
		"DeleteRole":             {Call: s.signed("DeleteRole", s.deleteRole)},
		"UpdateAssumeRolePolicy": {Call: s.signed("UpdateAssumeRolePolicy", s.updateAssumeRolePolicy)},
	}
	for name, a := range cfg.Extra {
		s.actions[name] = a
	}
	return s, nil
}

// SigningName implements awsquery.Service.
func (s *Service) SigningName() string { return "iam" }

// XMLNamespace implements awsquery.Service.
func (s *Service) XMLNamespace() string { return XMLNamespace }

// Action implements awsquery.Service.
func (s *Service) Action(name string) (awsquery.Action, bool) {
	a, ok := s.actions[name]
	return a, ok
}

// Role returns the role an ARN names (storage.ErrNotFound when none).
func (s *Service) Role(ctx context.Context, arn string) (*Role, error) {
	return LookupRole(ctx, s.store, arn)
}

type actionFunc func(ctx context.Context, account string, form url.Values) (any, error)

// signed runs an action for an account's long-term keys only. idpool has no
// IAM permission policies, so temporary credentials (sessions vended to app
// users) are refused every IAM action, as a role without IAM permissions is.
func (s *Service) signed(action string, fn actionFunc) func(context.Context, *auth.Caller, url.Values) (any, error) {
	return func(ctx context.Context, c *auth.Caller, form url.Values) (any, error) {
		if c == nil || c.Principal == nil {
			return nil, accessDenied("anonymous", action, "*")
		}
		if c.Principal.Session != nil {
			res := "arn:aws:iam::" + c.Principal.AccountID + ":role/*"
			if name, ok := awsquery.Get(form, "RoleName"); ok {
				res = "arn:aws:iam::" + c.Principal.AccountID + ":role/" + name
			}
			return nil, accessDenied(c.Principal.ARN, action, res)
		}
		return fn(ctx, c.Principal.AccountID, form)
	}
}
