package ops

import (
	"context"
	"slices"

	"github.com/idpool/idpool/internal/auth"
	"github.com/idpool/idpool/internal/storage"
)

type identityIDInput struct {
	IdentityId string
}

// identityDescription is IdentityDescription on the wire. Logins holds
// provider names only, never subjects (developer user identifiers are only
// exposed by LookupDeveloperIdentity).
type identityDescription struct {
	IdentityId       string
	Logins           []string      `json:",omitempty"`
	CreationDate     *epochSeconds `json:",omitempty"`
	LastModifiedDate *epochSeconds `json:",omitempty"`
}

func describe(id *storage.Identity) identityDescription {
	d := identityDescription{
		IdentityId:       id.ID,
		CreationDate:     stamp(id.CreatedAt),
		LastModifiedDate: stamp(id.UpdatedAt),
	}
	for _, l := range id.Logins {
		if !slices.Contains(d.Logins, l.Provider) {
			d.Logins = append(d.Logins, l.Provider)
		}
	}
	slices.Sort(d.Logins)
	return d
}

// DescribeIdentity returns an identity of one of the caller's pools.
func (s *Service) DescribeIdentity(ctx context.Context, c *auth.Caller, in *identityIDInput) (*identityDescription, error) {
	var ident *storage.Identity
	err := s.view(ctx, func(r storage.Reader) (err error) {
		ident, _, err = callerIdentity(r, c, in.IdentityId)
		return err
	})
	if err != nil {
		return nil, err
	}
	d := describe(ident)
	return &d, nil
}

type listIdentitiesInput struct {
	IdentityPoolId string
	MaxResults     int
	NextToken      string
	HideDisabled   bool
}

type listIdentitiesOutput struct {
	IdentityPoolId string
	Identities     []identityDescription
	NextToken      string `json:",omitempty"`
}

// ListIdentities pages through a pool's identities in id order; ids are
// time-ordered, so identities created while paging come after the cursor.
func (s *Service) ListIdentities(ctx context.Context, c *auth.Caller, in *listIdentitiesInput) (*listIdentitiesOutput, error) {
	scope := "ListIdentities\x00" + c.Account() + "\x00" + in.IdentityPoolId
	after, err := s.cursor(scope, in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults)
	var list []*storage.Identity
	err = s.view(ctx, func(r storage.Reader) error {
		if _, err := callerPool(r, c, in.IdentityPoolId); err != nil {
			return err
		}
		list, err = r.ListIdentities(in.IdentityPoolId, after, limit+1, in.HideDisabled)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &listIdentitiesOutput{IdentityPoolId: in.IdentityPoolId, Identities: []identityDescription{}}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	for _, id := range list {
		out.Identities = append(out.Identities, describe(id))
	}
	if more {
		out.NextToken = s.pages.Encode(scope, list[len(list)-1].ID)
	}
	return out, nil
}

type deleteIdentitiesInput struct {
	IdentityIdsToDelete []string
}

type unprocessedIdentity struct {
	IdentityId string
	ErrorCode  string
}

type deleteIdentitiesOutput struct {
	UnprocessedIdentityIds []unprocessedIdentity
}

// DeleteIdentities deletes identities of the caller's pools in one
// transaction. Unknown ids are ignored (deleting is idempotent), and so are
// ids of other accounts' or regions' identities: reporting them would reveal
// that they exist, and they are left untouched. UnprocessedIdentityIds is
// therefore always empty here; it would carry InternalServerError entries
// only if deletes were done one by one.
func (s *Service) DeleteIdentities(ctx context.Context, c *auth.Caller, in *deleteIdentitiesInput) (*deleteIdentitiesOutput, error) {
	err := s.update(ctx, func(tx storage.Tx) error {
		for _, id := range dedupe(in.IdentityIdsToDelete) {
			_, _, err := callerIdentity(tx, c, id)
			if err != nil {
				if isAPINotFound(err) {
					continue
				}
				return err
			}
			if err := tx.DeleteIdentity(id); err != nil && !isNotFound(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &deleteIdentitiesOutput{UnprocessedIdentityIds: []unprocessedIdentity{}}, nil
}
