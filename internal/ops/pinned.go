package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
)

// CreateIdentityPoolWithIdName is the extension that creates a pool with
// an id the caller chooses: X-Amz-Target IdpoolService.CreateIdentityPoolWithId.
const CreateIdentityPoolWithIdName = "CreateIdentityPoolWithId"

// Extensions returns idpool's own operations (wire.Config.Extensions).
func (s *Service) Extensions() []Operation {
	pinned := Extension(CreateIdentityPoolWithIdName, s.CreateIdentityPoolWithId)
	call := pinned.Call
	// Model validation first, as the wire does for CreateIdentityPool: the
	// body without IdentityPoolId is a CreateIdentityPool input, and the id
	// alone is a DescribeIdentityPool input (its pattern and length).
	pinned.Call = func(ctx context.Context, c *auth.Caller, body []byte) (any, error) {
		if err := s.validatePinned(body); err != nil {
			return nil, err
		}
		return call(ctx, c, body)
	}
	return []Operation{pinned, Extension(SetLifetimesName, s.SetLifetimes), Extension(GetLifetimesName, s.GetLifetimes),
		Extension(MintLoginName, s.MintLogin), Extension(ExplainCredentialsName, s.ExplainCredentials)}
}

func (s *Service) validatePinned(body []byte) error {
	if s.validate == nil {
		return nil
	}
	var members map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&members); err != nil {
		return nil // the strict decode answers it
	}
	id, hasID := members["IdentityPoolId"]
	delete(members, "IdentityPoolId")
	rest, err := json.Marshal(members)
	if err != nil {
		return apierr.Internal(err)
	}
	if verr := s.validate("CreateIdentityPool", rest); verr != nil {
		return verr
	}
	if !hasID {
		return apierr.New(apierr.Validation, "1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null")
	}
	if verr := s.validate("DescribeIdentityPool", append(append([]byte(`{"IdentityPoolId":`), id...), '}')); verr != nil {
		return verr
	}
	return nil
}

// pinnedPoolJSON is the input of CreateIdentityPoolWithId: a
// CreateIdentityPool input plus the id.
type pinnedPoolJSON = poolJSON

// CreateIdentityPoolWithId creates a pool with the id the caller gives
// (REGION:uuid, REGION the request's), so a stack file gives the same ids
// on every machine. Everything else is CreateIdentityPool's; an id in use
// is refused (ResourceConflictException).
func (s *Service) CreateIdentityPoolWithId(ctx context.Context, c *auth.Caller, in *pinnedPoolJSON) (*poolJSON, error) {
	region, rest, ok := strings.Cut(in.IdentityPoolId, ":")
	if u, err := uuid.Parse(rest); !ok || err != nil || u.String() != rest {
		return nil, apierr.InvalidParameterf("IdentityPoolId must be REGION:uuid with a lower-case uuid (e.g. %s:%s).", c.Region, "11111111-2222-3333-4444-555555555555")
	}
	if region != c.Region {
		return nil, apierr.InvalidParameterf("IdentityPoolId's region '%s' is not the request's region '%s'.", region, c.Region)
	}
	return s.insertPool(ctx, c, in.IdentityPoolId, in)
}
