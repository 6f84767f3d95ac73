// Package awsquery serves AWS Query-protocol services (the embedded STS and
// IAM) on the same port as Cognito Identity: POST / with a form body
// (Action=...&Version=...), XML answers, XML errors.
package awsquery

import (
	"context"
	"net/url"

	"github.com/idpool/idpool/internal/auth"
)

// Service is one Query-protocol service.
type Service interface {
	// SigningName is the SigV4 service name in the credential scope ("sts", "iam").
	SigningName() string
	// XMLNamespace is the xmlns of responses and errors
	// (https://sts.amazonaws.com/doc/2011-06-15/).
	XMLNamespace() string
	// Action returns the handler for an action name.
	Action(name string) (Action, bool)
}

// Action is one action of a Service.
type Action struct {
	// Unsigned actions (AssumeRoleWithWebIdentity) accept unsigned requests.
	Unsigned bool
	// Call runs the action. result is marshalled with encoding/xml inside
	// <ActionResult>; errors are *apierr.Error whose Code is the Query error
	// code (InvalidIdentityToken, AccessDenied, ...).
	Call func(ctx context.Context, c *auth.Caller, form url.Values) (result any, err error)
}
