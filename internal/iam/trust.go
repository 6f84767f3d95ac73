package iam

import (
	"unicode"

	"github.com/idpool/idpool/internal/apierr"
	"github.com/idpool/idpool/internal/policy"
)

// IAM error codes (botocore's iam model) the core answers with.
const (
	CodeNoSuchEntity            = "NoSuchEntity"
	CodeEntityAlreadyExists     = "EntityAlreadyExists"
	CodeMalformedPolicyDocument = "MalformedPolicyDocument"
	CodeLimitExceeded           = "LimitExceeded"
	CodeInvalidInput            = "InvalidInput"
)

// MaxTrustPolicyChars is IAM's default "Role trust policy length" quota;
// like IAM it counts characters other than white space.
const MaxTrustPolicyChars = 2048

// CheckTrustPolicy parses a trust policy and applies IAM's quota; every
// path that stores one (CreateRole, UpdateAssumeRolePolicy) calls it.
func CheckTrustPolicy(doc string) error {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	if n > MaxTrustPolicyChars {
		return apierr.Queryf(CodeLimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", MaxTrustPolicyChars)
	}
	if _, err := policy.ParseTrust([]byte(doc)); err != nil {
		msg := "Syntax errors in policy."
		if pe, ok := err.(*policy.Error); ok {
			msg = pe.Message
		}
		return apierr.Queryf(CodeMalformedPolicyDocument, "%s", msg)
	}
	return nil
}
