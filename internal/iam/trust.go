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
	CodeDeleteConflict          = "DeleteConflict"
)

// MaxTrustPolicyChars is IAM's default "Role trust policy length" quota;
// like IAM it counts characters other than white space.
const MaxTrustPolicyChars = 2048

// CognitoPrincipal is Cognito Identity's name as a Federated principal and
// condition-key prefix (identity.CognitoIdentity everywhere else).
const CognitoPrincipal = "cognito-identity.amazonaws.com"

// CognitoAudKey is the condition key that names the identity pools a role
// trusts.
const CognitoAudKey = CognitoPrincipal + ":aud"

// PoolTokenPrincipals are the Federated principals that idpool's own OpenID
// tokens match in a trust policy of account: cognito-identity.amazonaws.com,
// as trust policies written for AWS name it, idpool's issuer host (host and
// path, no scheme), and an IAM OIDC provider ARN for that host.
func PoolTokenPrincipals(account, issuerHost string) []string {
	if issuerHost == "" {
		return []string{CognitoPrincipal}
	}
	return []string{CognitoPrincipal, issuerHost, OIDCProviderARN(account, issuerHost)}
}

// PoolTokenKeyPrefixes are the condition-key prefixes (PREFIX:aud, ...)
// under which idpool's own tokens' claims are known.
func PoolTokenKeyPrefixes(issuerHost string) []string {
	if issuerHost == "" {
		return []string{CognitoPrincipal}
	}
	return []string{CognitoPrincipal, issuerHost}
}

// MsgCognitoAud is IAM's refusal of a trust policy that lets any identity
// pool assume the role. [inf] AWS documents the rule ("you can't create or
// modify a role trust policy to allow any identity pool to assume the role",
// Cognito Developer Guide, IAM roles) but not the text; the code is
// MalformedPolicyDocument, IAM's error for a refused policy document.
const MsgCognitoAud = "Trust policy for " + CognitoPrincipal + " must contain a " + CognitoAudKey +
	" condition that restricts it to your identity pools."

// CheckTrustPolicy parses a trust policy of account and applies IAM's quota
// and its rule for identity pools: an Allow of sts:AssumeRoleWithWebIdentity
// to the Federated principal cognito-identity.amazonaws.com (named, through
// a wildcard principal, or by one of idpool's aliases for it: the issuer
// host and an OIDC provider ARN for it, when issuerHost is set) must carry a
// restricting condition on PREFIX:aud (cognito-identity.amazonaws.com or the
// issuer host). Every path that stores a trust policy (CreateRole,
// UpdateAssumeRolePolicy, and any future one) calls it.
func CheckTrustPolicy(doc, account, issuerHost string) error {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	if n > MaxTrustPolicyChars {
		return apierr.Queryf(CodeLimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", MaxTrustPolicyChars)
	}
	d, err := policy.ParseTrust([]byte(doc))
	if err != nil {
		msg := "Syntax errors in policy."
		if pe, ok := err.(*policy.Error); ok {
			msg = pe.Message
		}
		return apierr.Queryf(CodeMalformedPolicyDocument, "%s", msg)
	}
	var audKeys []string
	for _, prefix := range PoolTokenKeyPrefixes(issuerHost) {
		audKeys = append(audKeys, prefix+":aud")
	}
	if d.Unrestricted("Federated", PoolTokenPrincipals(account, issuerHost), "sts:AssumeRoleWithWebIdentity", audKeys...) {
		return apierr.Queryf(CodeMalformedPolicyDocument, "%s", MsgCognitoAud)
	}
	return nil
}
