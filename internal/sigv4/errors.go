package sigv4

import (
	"errors"

	"github.com/idpool/idpool/internal/apierr"
)

// Kind classifies a verification failure.
type Kind int

// Kinds of verification failure.
const (
	// NoSignature: the request carries no Authorization header and no
	// presigned query parameters at all.
	NoSignature Kind = iota + 1
	// Incomplete: the signature is present but malformed or lacks parts.
	Incomplete
	// Mismatch: the recomputed signature differs, or the credential scope is
	// wrong (region, service, date, terminator).
	Mismatch
	// Skew: X-Amz-Date is too far from the server's clock.
	Skew
	// PresignExpired: a presigned request's X-Amz-Expires has passed.
	PresignExpired
	// UnknownKey: the access key id is not known, or the security token does
	// not belong to it.
	UnknownKey
	// ExpiredToken: temporary credentials whose session has ended.
	ExpiredToken
)

// Error is a signature verification failure with client-safe text.
type Error struct {
	Kind    Kind
	Message string
}

// Error implements error.
func (e *Error) Error() string { return "sigv4: " + e.Message }

// Texts AWS answers with (observed on AWS JSON and Query services).
const (
	msgMissing      = "Request is missing Authentication Token"
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
)

// Query-protocol error codes (STS, IAM).
const (
	QuerySignatureDoesNotMatch      = "SignatureDoesNotMatch"
	QueryInvalidClientTokenID       = "InvalidClientTokenId"
	QueryIncompleteSignature        = "IncompleteSignature"
	QueryMissingAuthenticationToken = "MissingAuthenticationToken"
	QueryExpiredToken               = "ExpiredToken"
	QueryRequestExpired             = "RequestExpired"
)

// codes gives each kind its JSON-protocol and Query-protocol code. JSON
// services answer InvalidSignatureException for a mismatch, a bad scope and
// clock skew alike; STS answers SignatureDoesNotMatch for all three.
var codes = map[Kind]struct{ json, query string }{
	NoSignature:    {apierr.MissingAuthenticationToken, QueryMissingAuthenticationToken},
	Incomplete:     {apierr.IncompleteSignature, QueryIncompleteSignature},
	Mismatch:       {apierr.InvalidSignature, QuerySignatureDoesNotMatch},
	Skew:           {apierr.InvalidSignature, QuerySignatureDoesNotMatch},
	PresignExpired: {apierr.InvalidSignature, QueryRequestExpired},
	UnknownKey:     {apierr.UnrecognizedClient, QueryInvalidClientTokenID},
	ExpiredToken:   {apierr.ExpiredToken, QueryExpiredToken},
}

// JSON renders e as an AWS JSON-protocol error (Cognito Identity).
func (e *Error) JSON() *apierr.Error {
	c, ok := codes[e.Kind]
	if !ok {
		c.json = apierr.InvalidSignature
	}
	return &apierr.Error{Code: c.json, Message: e.Message}
}

// Query renders e as an AWS Query-protocol error (STS, IAM).
func (e *Error) Query() *apierr.Error {
	c, ok := codes[e.Kind]
	if !ok {
		c.query = QuerySignatureDoesNotMatch
	}
	msg := e.Message
	if e.Kind == PresignExpired {
		msg = "Request has expired."
	}
	return &apierr.Error{Code: c.query, Message: msg, Protocol: apierr.Query}
}

// IsNoSignature reports whether err says the request was not signed at all.
func IsNoSignature(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == NoSignature
}

func fail(kind Kind, msg string) *Error { return &Error{Kind: kind, Message: msg} }
