// Package faults injects failures and latency into Cognito Identity calls
// on purpose, so an app's retry and timeout paths can be tested: a rule
// makes the matching calls of one account answer an error the model lists
// for the operation (with AWS's status and message) or answer late, every
// time, N times, a percentage of the time or within a time window.
//
// Rules come from the config file (faults section) and, at run time, from
// the signed extension operations IdpoolService.AddFault, ListFaults and
// ClearFaults. The Hook runs in the wire pipeline after authentication,
// validation and rate limiting, and answers before the operation runs, so
// an injected failure never reads or writes stored data. Rules live in
// memory, per node; a restart forgets those added at run time.
package faults

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/apimodel"
	"github.com/idpool/idpool/internal/ops"
)

// AnyOperation in Rule.Operation matches every Cognito Identity operation.
const AnyOperation = "*"

// MaxRulesPerAccount bounds the rules one account may hold at once.
const MaxRulesPerAccount = 100

// MaxLatency bounds a rule's added latency: past it an SDK has long given up.
const MaxLatency = 5 * time.Minute

// Rule is one fault rule as a client writes it (AddFault's input, and one
// entry of the config file's faults section without its account).
type Rule struct {
	// Operation is a Cognito Identity operation name, or "*" for all.
	Operation string `json:"Operation"`
	// IdentityPoolId, IdentityId and Login narrow the rule to calls about
	// that pool, that identity, or that carry a login of that provider
	// (a Logins key). Empty: any.
	IdentityPoolId string `json:"IdentityPoolId,omitempty"`
	IdentityId     string `json:"IdentityId,omitempty"`
	Login          string `json:"Login,omitempty"`
	// Error is the error code to answer with: one the model lists for the
	// operation (for "*": one every operation lists). Empty: no error.
	Error string `json:"Error,omitempty"`
	// Message replaces AWS's message for Error.
	Message string `json:"Message,omitempty"`
	// Latency is added before the call runs (or before the error), as a Go
	// duration ("250ms", "2s").
	Latency Duration `json:"Latency,omitempty"`
	// Times limits the rule to its first N matching calls; 0: no limit.
	Times int `json:"Times,omitempty"`
	// Percent makes the rule fire on that share of matching calls (0-100,
	// fractions allowed); 0 or absent: every matching call.
	Percent float64 `json:"Percent,omitempty"`
	// StartAfter delays the rule's start, and ActiveFor ends it, counted
	// from when it was added ("30s"). Zero: at once, and until cleared.
	StartAfter Duration `json:"StartAfter,omitempty"`
	ActiveFor  Duration `json:"ActiveFor,omitempty"`
}

// Duration is a Go duration in JSON ("250ms", "2s").
type Duration = ops.Duration

// modelErrors maps each Cognito Identity operation to the errors its model
// entry lists, read once from the embedded botocore model.
var modelErrors = sync.OnceValues(func() (map[string][]string, error) {
	svc, err := apimodel.CognitoIdentityService()
	if err != nil {
		return nil, fmt.Errorf("faults: read the model: %w", err)
	}
	out := make(map[string][]string, len(svc.Operations))
	for name, op := range svc.Operations {
		out[name] = op.Errors // sorted by apimodel
	}
	return out, nil
})

// commonErrors returns the errors every operation lists (what "*" may use).
func commonErrors(all map[string][]string) []string {
	var out []string
	for _, code := range all["DescribeIdentityPool"] {
		everywhere := true
		for _, errs := range all {
			everywhere = everywhere && slices.Contains(errs, code)
		}
		if everywhere {
			out = append(out, code)
		}
	}
	return out
}

// Errors returns the error codes a rule for operation may inject, sorted;
// nil for a name that is not a Cognito Identity operation.
func Errors(operation string) []string {
	all, err := modelErrors()
	if err != nil {
		return nil
	}
	if operation == AnyOperation {
		return commonErrors(all)
	}
	return all[operation]
}

// messages are AWS's texts for each code, when the rule gives none and
// the call names no pool or identity to put in them ([inf] AWS's generic
// texts for the codes idpool never answers itself).
var messages = map[string]string{
	apierr.TooManyRequests:                  "Rate exceeded",
	apierr.InternalError:                    "An internal error occurred.",
	apierr.ResourceNotFound:                 "The resource was not found.",
	apierr.NotAuthorized:                    "Not authorized.",
	apierr.ResourceConflict:                 "The resource is in use or was modified by another request.",
	apierr.InvalidParameter:                 "Invalid parameter.",
	apierr.LimitExceeded:                    "The limit for this resource has been exceeded.",
	apierr.ExternalService:                  "An exception occurred with the authentication provider.",
	apierr.ConcurrentModification:           "The resource was modified concurrently. Please retry.",
	apierr.DeveloperUserAlreadyRegistered:   "The developer user is already registered with Cognito.",
	apierr.InvalidIdentityPoolConfiguration: "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
}

// validate checks r and returns AWS's ValidationException text for its
// first problem, naming members as AWS does (lower camel case); values are
// cut short, never echoed whole.
func (r *Rule) validate() *apierr.Error {
	bad := func(value, member, constraint string) *apierr.Error {
		return apierr.New(apierr.Validation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s",
			cut(value), member, constraint)
	}
	all, err := modelErrors()
	if err != nil {
		return apierr.Internal(err)
	}
	switch {
	case r.Operation == "":
		return apierr.New(apierr.Validation, "1 validation error detected: Value null at 'operation' failed to satisfy constraint: Member must not be null")
	case r.Operation != AnyOperation && all[r.Operation] == nil:
		return bad(r.Operation, "operation", "Member must be a Cognito Identity operation name or *")
	}
	if r.Error != "" && !slices.Contains(Errors(r.Operation), r.Error) {
		what := r.Operation + " can return"
		if r.Operation == AnyOperation {
			what = "every operation can return"
		}
		return bad(r.Error, "error", "Member must be an error "+what+": "+joinCodes(Errors(r.Operation)))
	}
	switch {
	case r.Error == "" && r.Latency == 0:
		return apierr.New(apierr.Validation, "1 validation error detected: Value null at 'error' failed to satisfy constraint: A rule needs an error, a latency or both")
	case r.Error == "" && r.Message != "":
		return bad(r.Message, "message", "Member is only allowed with an error")
	case len(r.Message) > 1024:
		return bad(r.Message, "message", "Member must have length less than or equal to 1024")
	case r.Latency < 0 || time.Duration(r.Latency) > MaxLatency:
		return bad(time.Duration(r.Latency).String(), "latency", "Member must be between 0s and "+MaxLatency.String())
	case r.Times < 0:
		return bad(strconv.Itoa(r.Times), "times", "Member must have value greater than or equal to 0")
	case math.IsNaN(r.Percent) || r.Percent < 0:
		return bad(strconv.FormatFloat(r.Percent, 'f', -1, 64), "percent", "Member must have value greater than or equal to 0")
	case r.Percent > 100:
		return bad(strconv.FormatFloat(r.Percent, 'f', -1, 64), "percent", "Member must have value less than or equal to 100")
	case r.StartAfter < 0:
		return bad(time.Duration(r.StartAfter).String(), "startAfter", "Member must not be negative")
	case r.ActiveFor < 0:
		return bad(time.Duration(r.ActiveFor).String(), "activeFor", "Member must not be negative")
	case len(r.IdentityPoolId) > 55:
		return bad(r.IdentityPoolId, "identityPoolId", "Member must have length less than or equal to 55")
	case len(r.IdentityId) > 55:
		return bad(r.IdentityId, "identityId", "Member must have length less than or equal to 55")
	case len(r.Login) > 128:
		return bad(r.Login, "login", "Member must have length less than or equal to 128")
	}
	return nil
}

func joinCodes(codes []string) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// cut shortens s for an error message.
func cut(s string) string {
	n := 64
	for i := range s {
		if n == 0 {
			return s[:i] + "..."
		}
		n--
	}
	return s
}

// Operations returns the model's operation names, sorted.
func Operations() []string {
	all, err := modelErrors()
	if err != nil {
		return nil
	}
	return slices.Sorted(maps.Keys(all))
}
