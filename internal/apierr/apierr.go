// Package apierr defines the error values every layer of idpool returns. An
// error knows its vocabulary: the protocol whose codes it speaks (Cognito
// Identity's AWS JSON 1.1, or the AWS Query of STS and IAM), and each
// protocol has its own table from code to HTTP status.
//
// An *Error carries two kinds of text apart: Message is sent to the client and
// must never contain internals; the wrapped cause is only logged.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS-shaped error: a code (the __type on the wire), a client-safe
// message and, optionally, an internal cause that is logged but never sent.
type Error struct {
	Code    string
	Message string
	// Protocol is the vocabulary Code belongs to; the zero value is JSON.
	Protocol Protocol
	cause    error
	// quiet: the cause is reported once elsewhere (a storage condition is
	// logged once per episode), so the request path does not log it again.
	quiet bool
	// told: the Message of an internal error is written to clients as is
	// (Unavailable); other internal errors get the generic text.
	told bool
}

// Protocol is an error vocabulary: the codes of one wire protocol.
type Protocol uint8

const (
	// JSON is Cognito Identity's vocabulary (AWS JSON 1.1).
	JSON Protocol = iota
	// Query is the vocabulary of STS and IAM (AWS Query).
	Query
)

// Error implements error. It includes the cause, so it is for logs only.
func (e *Error) Error() string {
	if e.cause != nil {
		return e.Code + ": " + e.Message + ": " + e.cause.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.cause }

// Status is the HTTP status AWS answers with for this code in its protocol.
func (e *Error) Status() int {
	if e.Protocol == Query {
		return QueryStatusOf(e.Code)
	}
	return StatusOf(e.Code)
}

// Quiet returns a copy of e whose cause is not logged per request: the
// condition behind it is reported once elsewhere.
func (e *Error) Quiet() *Error {
	c := *e
	c.quiet = true
	return &c
}

// IsQuiet reports whether e's cause is reported elsewhere (Quiet).
func (e *Error) IsQuiet() bool { return e.quiet }

// CannotStore is the internal error of a write refused because the store
// takes no writes (full, read-only): its message is MsgCannotStore, sent
// as is, and it is quiet (the store's health logs the episode once).
func CannotStore(p Protocol, code string, cause error) *Error {
	return Unavailable(p, code, MsgCannotStore, cause).Quiet()
}

// Unavailable is an internal error of a condition outside idpool (the
// store full, an external STS down) that a client may retry: msg, which
// must hold no internals, is sent as is; cause is logged.
func Unavailable(p Protocol, code, msg string, cause error) *Error {
	return (&Error{Code: code, Message: msg, Protocol: p, told: true}).Wrap(cause)
}

// Told reports whether e's Message is written to clients even though e is
// an internal error (Unavailable).
func (e *Error) Told() bool { return e.told }

// Wrap returns a copy of e that carries cause for the logs.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// New returns an error with the given code and message.
func New(code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg}
}

// As returns the *Error inside err, or an InternalErrorException that wraps err.
func As(err error) *Error { return AsIn(JSON, err) }

// AsIn returns the *Error inside err when it speaks protocol p, and
// otherwise p's internal error wrapping err: a code of another vocabulary
// means a layer forgot to translate it, and must not reach a client of p.
func AsIn(p Protocol, err error) *Error {
	var e *Error
	if errors.As(err, &e) && e != nil && e.Protocol == p {
		return e
	}
	return InternalIn(p, err)
}

// InternalIn is protocol p's generic internal error, wrapping cause for the logs.
func InternalIn(p Protocol, cause error) *Error {
	if p == Query {
		return (&Error{Code: QueryInternalFailure, Message: msgQueryInternal, Protocol: Query}).Wrap(cause)
	}
	return Internal(cause)
}

// Error codes of the Cognito Identity model, plus the framework-level codes AWS
// sends for every JSON service (validation, signatures, unknown operations).
const (
	ConcurrentModification           = "ConcurrentModificationException"
	DeveloperUserAlreadyRegistered   = "DeveloperUserAlreadyRegisteredException"
	ExternalService                  = "ExternalServiceException"
	InternalError                    = "InternalErrorException"
	InvalidIdentityPoolConfiguration = "InvalidIdentityPoolConfigurationException"
	InvalidParameter                 = "InvalidParameterException"
	LimitExceeded                    = "LimitExceededException"
	NotAuthorized                    = "NotAuthorizedException"
	ResourceConflict                 = "ResourceConflictException"
	ResourceNotFound                 = "ResourceNotFoundException"
	TooManyRequests                  = "TooManyRequestsException"

	Validation                 = "ValidationException"
	Serialization              = "SerializationException"
	UnknownOperation           = "UnknownOperationException"
	AccessDenied               = "AccessDeniedException"
	MissingAuthenticationToken = "MissingAuthenticationTokenException"
	IncompleteSignature        = "IncompleteSignatureException"
	InvalidSignature           = "InvalidSignatureException"
	UnrecognizedClient         = "UnrecognizedClientException"
	ExpiredToken               = "ExpiredTokenException"
	RequestExpired             = "RequestExpired"
	ServiceUnavailable         = "ServiceUnavailableException"
)

// statuses maps a code to its HTTP status. AWS answers 400 for every modelled
// client error of this service (api-notes §1.2, observed), 500 for internal
// errors. AWS JSON 1.1 services answer the signature errors
// (UnrecognizedClientException, InvalidSignatureException,
// IncompleteSignatureException, ExpiredTokenException) with 400 as well
// (aws-sdk-js#254, DynamoDB); only a request with no authentication at all and
// an IAM deny are 403.
var statuses = map[string]int{
	InternalError:              http.StatusInternalServerError,
	ServiceUnavailable:         http.StatusServiceUnavailable,
	MissingAuthenticationToken: http.StatusForbidden,
	AccessDenied:               http.StatusForbidden,
}

// StatusOf returns the HTTP status of a JSON code; unknown codes are client errors.
func StatusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// MsgCannotStore is the message of an internal error while the store takes
// no writes (disk full, read-only): still retryable, with no path or
// internals. AWS's text for this is unknown [inf].
const MsgCannotStore = "The service cannot store data right now. Please try again later."

// Internal returns the generic internal error, wrapping cause for the logs.
func Internal(cause error) *Error {
	return (&Error{Code: InternalError, Message: "An internal error occurred."}).Wrap(cause)
}

// Constructors for the codes every layer uses.

func NotAuthorizedf(format string, args ...any) *Error { return New(NotAuthorized, format, args...) }
func NotFoundf(format string, args ...any) *Error      { return New(ResourceNotFound, format, args...) }
func InvalidParameterf(format string, args ...any) *Error {
	return New(InvalidParameter, format, args...)
}
func Conflictf(format string, args ...any) *Error { return New(ResourceConflict, format, args...) }
func LimitExceededf(format string, args ...any) *Error {
	return New(LimitExceeded, format, args...)
}
