// Package awsquery is the AWS Query codec of the embedded STS and IAM: POST /
// with a form body (Action=...&Version=...) or a GET naming an Action, XML
// answers, XML errors. It also holds what the Query operation tables
// (stsquery, iamquery) are written against: Service, Action, the form
// readers and Validation with AWS's wording. The pipeline in package wire
// runs it, on the same port as Cognito Identity.
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
