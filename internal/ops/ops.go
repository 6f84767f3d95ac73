// Package ops implements the 23 Cognito Identity operations on top of the
// identity logic and storage. It knows nothing of HTTP: the wire package
// decodes and validates a request against the model, then calls an
// Operation with the raw JSON body and the verified caller.
package ops

import (
	"context"

	"github.com/idpool/idpool/internal/auth"
)

// Operation is one entry of the dispatch table.
type Operation struct {
	// Name is the operation name, the suffix of X-Amz-Target.
	Name string
	// Unsigned operations (GetId, GetOpenIdToken, GetCredentialsForIdentity,
	// UnlinkIdentity) accept requests without a signature; a signature, when
	// present, is still verified.
	Unsigned bool
	// Call decodes body (already validated against the model) and runs the
	// operation. It returns the output structure to encode as JSON, or an
	// error (an *apierr.Error for anything the client should see).
	Call func(ctx context.Context, c *auth.Caller, body []byte) (any, error)

	// decode is Call's decoder, by either library (see decodeInput), for
	// the test that holds them to one answer.
	decode func(body []byte, std bool) (any, error)
}

// Limits are AWS's service quotas, configurable. Zero values mean AWS's default.
type Limits struct {
	PoolsPerAccount       int // 1000
	TagsPerPool           int // 50
	RoleMappingsPerPool   int // 10
	RulesPerRoleMapping   int // 25
	LoginsPerIdentity     int // 20
	UserPoolProvidersPool int // 50
}

// WithDefaults returns l with AWS's defaults in place of zero values.
func (l Limits) WithDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PoolsPerAccount, 1000)
	def(&l.TagsPerPool, 50)
	def(&l.RoleMappingsPerPool, 10)
	def(&l.RulesPerRoleMapping, 25)
	def(&l.LoginsPerIdentity, 20)
	def(&l.UserPoolProvidersPool, 50)
	return l
}
