package apierr

import "net/http"

// Codes every Query-protocol service (STS, IAM) shares. Service-specific
// codes live with their service.
const (
	QueryValidation                 = "ValidationError"
	QueryInvalidAction              = "InvalidAction"
	QueryMissingAction              = "MissingAction"
	QueryAccessDenied               = "AccessDenied"
	QueryInternalFailure            = "InternalFailure"
	QueryMalformedQueryString       = "MalformedQueryString"
	QueryRequestEntityTooLarge      = "RequestEntityTooLarge"
	QueryMissingAuthenticationToken = "MissingAuthenticationToken"
	QuerySignatureDoesNotMatch      = "SignatureDoesNotMatch"
	QueryServiceUnavailable         = "ServiceUnavailable"
	QueryThrottling                 = "Throttling"
)

// msgQueryInternal is STS's and IAM's text for their own failures.
const msgQueryInternal = "We encountered an internal error. Please try again."

// queryStatuses maps Query codes to HTTP statuses (botocore's models give
// httpStatusCode for the modelled ones; the signature codes follow AWS's
// answers). Everything else is a 400.
var queryStatuses = map[string]int{
	// STS
	"AccessDenied":               http.StatusForbidden,
	"IDPRejectedClaim":           http.StatusForbidden,
	"RegionDisabledException":    http.StatusForbidden,
	"MissingAuthenticationToken": http.StatusForbidden,
	"InvalidClientTokenId":       http.StatusForbidden,
	"SignatureDoesNotMatch":      http.StatusForbidden,
	"IncompleteSignature":        http.StatusForbidden,
	"ExpiredToken":               http.StatusForbidden,
	"OptInRequired":              http.StatusForbidden,
	// IAM
	"NoSuchEntity":           http.StatusNotFound,
	"EntityAlreadyExists":    http.StatusConflict,
	"DeleteConflict":         http.StatusConflict,
	"LimitExceeded":          http.StatusConflict,
	"ConcurrentModification": http.StatusConflict,
	"UnmodifiableEntity":     http.StatusBadRequest,
	"ServiceFailure":         http.StatusInternalServerError,
	// Both
	QueryInternalFailure:       http.StatusInternalServerError,
	QueryServiceUnavailable:    http.StatusServiceUnavailable,
	QueryRequestEntityTooLarge: http.StatusRequestEntityTooLarge,
}

// QueryStatusOf returns the HTTP status AWS answers a Query code with.
func QueryStatusOf(code string) int {
	if s, ok := queryStatuses[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Queryf returns a Query-protocol error (STS, IAM).
func Queryf(code, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Protocol = Query
	return e
}
