// Package protocol is the contract between idpool's one request pipeline
// (package wire) and its codecs (awsjson for Cognito Identity's AWS JSON
// 1.1, awsquery for the AWS Query of STS and IAM): a codec turns a request
// into a Call and writes answers; the pipeline does everything else, in
// the same order for every protocol.
package protocol

import (
	"context"
	"net/http"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/auth"
)

// Call is one request as a codec decoded it.
type Call struct {
	// Service is the SigV4 signing name the signature must be scoped to
	// ("cognito-identity", "sts", "iam"); AnyService accepts a signature
	// for any service (the Query codec's unknown actions, so a signed client
	// learns its action is unknown rather than that its scope is wrong).
	Service    string
	AnyService bool
	// Operation is the operation or action name ("" while unknown).
	Operation string
	// Unsigned calls may come without a signature; one that is present is
	// still verified.
	Unsigned bool
	// DenySessions refuses temporary credentials (AccessDenied): idpool has
	// no IAM permission policies, so vended credentials may call only what
	// anyone may call.
	DenySessions bool
	// Deferred is answered after the signature is verified: the codec found
	// no such operation, but the caller learns that only once authenticated.
	Deferred error
	// Account is the account an unsigned call names (GetId's AccountId), for
	// per-account rate limits; "" when none.
	Account string
	// Body is the request body as read, which the signature covers (nil
	// for a GET).
	Body []byte
	// Input is the decoded request for hooks: the JSON body ([]byte) or the
	// Query form (url.Values).
	Input any
	// Validate checks the input against the protocol's model before the
	// operation runs; nil when the operation validates its own input.
	Validate func() error
	// Invoke runs the operation.
	Invoke func(ctx context.Context, c *auth.Caller) (any, error)
	// State is the codec's own, for writing the answer.
	State any
}

// Codec is one wire protocol.
type Codec interface {
	// Protocol is the vocabulary of the codec's errors.
	Protocol() apierr.Protocol
	// Decode reads the request (its body capped at maxBody) and returns
	// the call, or the error to answer (in the codec's vocabulary).
	Decode(w http.ResponseWriter, r *http.Request, maxBody int64) (*Call, error)
	// WriteResult writes a success; c is nil only if Decode failed.
	WriteResult(w http.ResponseWriter, c *Call, requestID string, out any)
	// WriteError writes e, already in the codec's vocabulary.
	WriteError(w http.ResponseWriter, c *Call, requestID string, e *apierr.Error)
	// Throttled is the codec's answer to a call over its rate limit or to
	// a server with too many requests in flight.
	Throttled(busy bool) *apierr.Error
}
