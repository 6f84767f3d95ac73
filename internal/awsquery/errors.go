package awsquery

import "net/http"

// Error codes shared by the Query services (STS, IAM). Service-specific
// codes live with their service.
const (
	CodeValidationError            = "ValidationError"
	CodeInvalidAction              = "InvalidAction"
	CodeMissingAction              = "MissingAction"
	CodeAccessDenied               = "AccessDenied"
	CodeInternalFailure            = "InternalFailure"
	CodeMalformedQueryString       = "MalformedQueryString"
	CodeRequestEntityTooLarge      = "RequestEntityTooLarge"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
)

// statuses maps Query error codes to HTTP statuses (botocore's models give
// httpStatusCode for the modelled ones; the signature codes follow AWS's
// answers). Everything else is a 400.
var statuses = map[string]int{
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
	"InternalFailure":        http.StatusInternalServerError,
	"ServiceUnavailable":     http.StatusServiceUnavailable,
	"RequestEntityTooLarge":  http.StatusRequestEntityTooLarge,
}

// StatusOf returns the HTTP status AWS answers a Query error code with.
func StatusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// faultOf is the <Type> of an error: Receiver for the service's own failures.
func faultOf(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}
