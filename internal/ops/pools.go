package ops

import (
	"context"
	"maps"
	"slices"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/iam"
	"github.com/idpool/idpool/internal/storage"
)

// cognitoProviderJSON is CognitoIdentityProvider on the wire.
type cognitoProviderJSON struct {
	ProviderName         string `json:",omitempty"`
	ClientId             string `json:",omitempty"`
	ServerSideTokenCheck bool
}

// poolJSON is the IdentityPool structure: the input of Create (without an id)
// and Update, and the output of Create, Update and Describe.
type poolJSON struct {
	IdentityPoolId                 string `json:",omitempty"`
	IdentityPoolName               string
	AllowUnauthenticatedIdentities bool
	AllowClassicFlow               *bool                 `json:",omitempty"`
	SupportedLoginProviders        map[string]string     `json:",omitempty"`
	DeveloperProviderName          string                `json:",omitempty"`
	OpenIdConnectProviderARNs      []string              `json:",omitempty"`
	CognitoIdentityProviders       []cognitoProviderJSON `json:",omitempty"`
	SamlProviderARNs               []string              `json:",omitempty"`
	// IdentityPoolTags is always sent ({} when empty), as AWS does.
	IdentityPoolTags map[string]string
}

func poolOut(p *storage.Pool) *poolJSON {
	out := &poolJSON{
		IdentityPoolId:                 p.ID,
		IdentityPoolName:               p.Name,
		AllowUnauthenticatedIdentities: p.AllowUnauthenticated,
		AllowClassicFlow:               p.AllowClassicFlow,
		SupportedLoginProviders:        p.SupportedLoginProviders,
		DeveloperProviderName:          p.DeveloperProviderName,
		OpenIdConnectProviderARNs:      p.OpenIDConnectProviderARNs,
		SamlProviderARNs:               p.SAMLProviderARNs,
		IdentityPoolTags:               p.Tags,
	}
	for _, cp := range p.CognitoIdentityProviders {
		out.CognitoIdentityProviders = append(out.CognitoIdentityProviders, cognitoProviderJSON{ProviderName: cp.ProviderName, ClientId: cp.ClientID, ServerSideTokenCheck: cp.ServerSideTokenCheck})
	}
	if out.IdentityPoolTags == nil {
		out.IdentityPoolTags = map[string]string{}
	}
	return out
}

// applyPoolInput sets the caller-settable fields of p from in: a full
// replace, absent members take their defaults. Two exceptions, chosen to
// protect data: the developer provider name can't be changed or removed once
// set (AWS: "Once you have set a developer provider name, you cannot change
// it"; an absent one keeps it, as observed on AWS), and absent tags keep the
// pool's tags (they are managed by TagResource/UntagResource too).
func applyPoolInput(p *storage.Pool, in *poolJSON) error {
	if p.DeveloperProviderName != "" && in.DeveloperProviderName != "" && in.DeveloperProviderName != p.DeveloperProviderName {
		return apierr.InvalidParameterf("DeveloperProviderName cannot be changed once set.")
	}
	p.Name = in.IdentityPoolName
	p.AllowUnauthenticated = in.AllowUnauthenticatedIdentities
	p.AllowClassicFlow = in.AllowClassicFlow
	p.SupportedLoginProviders = nilIfEmpty(in.SupportedLoginProviders)
	if in.DeveloperProviderName != "" {
		p.DeveloperProviderName = in.DeveloperProviderName
	}
	p.OpenIDConnectProviderARNs = dedupe(in.OpenIdConnectProviderARNs)
	p.SAMLProviderARNs = dedupe(in.SamlProviderARNs)
	p.CognitoIdentityProviders = nil
	for _, cp := range in.CognitoIdentityProviders {
		p.CognitoIdentityProviders = append(p.CognitoIdentityProviders, storage.CognitoProvider{ProviderName: cp.ProviderName, ClientID: cp.ClientId, ServerSideTokenCheck: cp.ServerSideTokenCheck})
	}
	if in.IdentityPoolTags != nil {
		p.Tags = nilIfEmpty(in.IdentityPoolTags)
	}
	return nil
}

// checkPool enforces the rules the model can't express: limits, and that
// the named IAM providers exist in the pool's account.
func (s *Service) checkPool(r storage.Reader, p *storage.Pool) error {
	if len(p.Tags) > s.limits.TagsPerPool {
		return apierr.LimitExceededf("An identity pool can have at most %d tags.", s.limits.TagsPerPool)
	}
	if len(p.CognitoIdentityProviders) > s.limits.UserPoolProvidersPool {
		return apierr.LimitExceededf("An identity pool can have at most %d Cognito user pool providers.", s.limits.UserPoolProvidersPool)
	}
	seen := map[string]bool{}
	for _, cp := range p.CognitoIdentityProviders {
		if cp.ProviderName == "" || cp.ClientID == "" {
			return apierr.InvalidParameterf("Invalid Cognito Identity Provider: ProviderName and ClientId are required.")
		}
		key := cp.ProviderName + ":" + cp.ClientID
		if seen[key] {
			return apierr.InvalidParameterf("Duplicate Cognito Identity Provider: %s.", key)
		}
		seen[key] = true
	}
	if err := checkIAMProviders(r, p.AccountID, "OpenIdConnectProviderARNs", "oidc-provider", iam.KindOIDCProvider, p.OpenIDConnectProviderARNs); err != nil {
		return err
	}
	return checkIAMProviders(r, p.AccountID, "SamlProviderARNs", "saml-provider", iam.KindSAMLProvider, p.SAMLProviderARNs)
}

func checkIAMProviders(r storage.Reader, account, member, typ, kind string, arns []string) error {
	for _, arn := range arns {
		acct, name, ok := iam.ParseProviderARN(arn, typ)
		if !ok {
			return apierr.InvalidParameterf("Invalid %s: '%s' is not a valid IAM %s ARN.", member, arn, typ)
		}
		if acct != account {
			return apierr.InvalidParameterf("Invalid %s: provider '%s' does not exist in this account.", member, arn)
		}
		if _, err := r.GetResource(account, kind, name); err != nil {
			if isNotFound(err) {
				return apierr.InvalidParameterf("Invalid %s: provider '%s' does not exist in this account.", member, arn)
			}
			return err
		}
	}
	return nil
}

// CreateIdentityPool creates a pool in the caller's account and region.
func (s *Service) CreateIdentityPool(ctx context.Context, c *auth.Caller, in *poolJSON) (*poolJSON, error) {
	return s.insertPool(ctx, c, newPoolID(c.Region), in)
}

// insertPool creates the pool id from in, within the account's limits.
// A pinned id (CreateIdentityPoolWithId) already in use, in this account
// or another, is refused alike, so the answer does not tell whether
// another account holds it.
func (s *Service) insertPool(ctx context.Context, c *auth.Caller, id string, in *poolJSON) (*poolJSON, error) {
	now := s.now().UTC()
	p := &storage.Pool{
		ID:        id,
		AccountID: c.Account(),
		Region:    c.Region,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if err := applyPoolInput(p, in); err != nil {
		return nil, err
	}
	err := s.update(ctx, func(tx storage.Tx) error {
		if _, err := tx.GetPool(p.ID); err == nil {
			return apierr.Conflictf("IdentityPoolId '%s' is already in use.", p.ID)
		} else if !isNotFound(err) {
			return err
		}
		n, err := tx.CountPools(p.AccountID, p.Region)
		if err != nil {
			return err
		}
		if n >= s.limits.PoolsPerAccount {
			return apierr.LimitExceededf("The number of identity pools in this account and region has reached the limit of %d.", s.limits.PoolsPerAccount)
		}
		if err := s.checkPool(tx, p); err != nil {
			return err
		}
		return tx.CreatePool(p)
	})
	if err != nil {
		return nil, err
	}
	return poolOut(p), nil
}

// UpdateIdentityPool replaces a pool's settings.
func (s *Service) UpdateIdentityPool(ctx context.Context, c *auth.Caller, in *poolJSON) (*poolJSON, error) {
	var out *storage.Pool
	err := s.update(ctx, func(tx storage.Tx) error {
		p, err := callerPool(tx, c, in.IdentityPoolId)
		if err != nil {
			return err
		}
		if err := applyPoolInput(p, in); err != nil {
			return err
		}
		p.UpdatedAt = s.now().UTC()
		if err := s.checkPool(tx, p); err != nil {
			return err
		}
		out = p
		return tx.UpdatePool(p)
	})
	if err != nil {
		return nil, err
	}
	return poolOut(out), nil
}

type poolIDInput struct {
	IdentityPoolId string
}

// DescribeIdentityPool returns a pool.
func (s *Service) DescribeIdentityPool(ctx context.Context, c *auth.Caller, in *poolIDInput) (*poolJSON, error) {
	p, err := s.readPool(ctx, c, in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	return poolOut(p), nil
}

// DeleteIdentityPool deletes a pool with its identities.
func (s *Service) DeleteIdentityPool(ctx context.Context, c *auth.Caller, in *poolIDInput) (*empty, error) {
	err := s.update(ctx, func(tx storage.Tx) error {
		if _, err := callerPool(tx, c, in.IdentityPoolId); err != nil {
			return err
		}
		return tx.DeletePool(in.IdentityPoolId)
	})
	return &empty{}, err
}

type listPoolsInput struct {
	MaxResults int
	NextToken  string
}

type poolShort struct {
	IdentityPoolId   string
	IdentityPoolName string
}

type listPoolsOutput struct {
	IdentityPools []poolShort
	NextToken     string `json:",omitempty"`
}

// ListIdentityPools pages through the caller's pools in id order.
func (s *Service) ListIdentityPools(ctx context.Context, c *auth.Caller, in *listPoolsInput) (*listPoolsOutput, error) {
	scope := "ListIdentityPools\x00" + c.Account() + "\x00" + c.Region
	after, err := s.cursor(scope, in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults)
	var pools []*storage.Pool
	err = s.view(ctx, func(r storage.Reader) (err error) {
		pools, err = r.ListPools(c.Account(), c.Region, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &listPoolsOutput{IdentityPools: []poolShort{}}
	more := len(pools) > limit
	if more {
		pools = pools[:limit]
	}
	for _, p := range pools {
		out.IdentityPools = append(out.IdentityPools, poolShort{p.ID, p.Name})
	}
	if more {
		out.NextToken = s.pages.Encode(scope, pools[len(pools)-1].ID)
	}
	return out, nil
}

func nilIfEmpty[M ~map[K]V, K comparable, V any](m M) M {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// dedupe drops repeated entries, keeping the first of each.
func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
