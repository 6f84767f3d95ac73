package ratelimit

import (
	"fmt"
	"math"

	"github.com/idpool/idpool/internal/apimodel"
	"github.com/idpool/idpool/internal/config"
)

// The limiter's settings are the config file's rateLimits section itself
// (internal/config, plain data): one definition, no conversion. The zero
// Config limits nothing.
type (
	// Config: Profile "aws" starts from AWS's published default quotas
	// (AWSProfile); Default applies to every operation the profile and
	// Operations leave open; Accounts override everything for one account.
	Config = config.RateLimits
	// AccountConfig holds one account's overrides; when its Default is
	// unset (RPS 0 and Burst 0) the global settings apply.
	AccountConfig = config.AccountRates
	// Rate is a token bucket: RPS requests per second on average, up to
	// Burst at once. RPS 0 means unlimited; Burst 0 means max(1, ceil(RPS)).
	Rate = config.Rate
)

// ProfileAWS names AWSProfile in Config.Profile.
const ProfileAWS = "aws"

// AWSProfile returns AWS's default request-rate quotas for Cognito Identity
// (per account per Region per operation). Sources: the Cognito developer
// guide's quotas page (api-notes §4.11) for GetId, GetOpenIdToken,
// GetCredentialsForIdentity and GetOpenIdTokenForDeveloperIdentity; the
// model's documentation for TagResource ("up to 5 times per second, per
// account") and ListTagsForResource (10). Operations without a published
// quota are left unlimited. AWS publishes no burst; the bucket depth is
// one second's worth.
func AWSProfile() map[string]Rate {
	return map[string]Rate{
		"GetId":                              {RPS: 25},
		"GetOpenIdToken":                     {RPS: 200},
		"GetCredentialsForIdentity":          {RPS: 200},
		"GetOpenIdTokenForDeveloperIdentity": {RPS: 200},
		"TagResource":                        {RPS: 5},
		"UntagResource":                      {RPS: 5}, // [inf] TagResource's quota; none is published for UntagResource
		"ListTagsForResource":                {RPS: 10},
	}
}

// burst returns the bucket depth of r.
func burst(r Rate) int {
	if r.Burst > 0 {
		return r.Burst
	}
	return max(1, int(math.Ceil(r.RPS)))
}

// set reports whether r says anything (a zero Rate inherits).
func set(r Rate) bool { return r.RPS != 0 || r.Burst != 0 }

// OperationNames returns the operation names of the embedded Cognito
// Identity model, sorted.
func OperationNames() ([]string, error) {
	svc, err := apimodel.CognitoIdentityService()
	if err != nil {
		return nil, fmt.Errorf("ratelimit: read the model: %w", err)
	}
	return svc.OperationNames(), nil
}
