package roles

import "github.com/idpool/idpool/internal/apierr"

// Errors returned by Resolve. Each call returns a fresh copy so a caller may
// Wrap it without touching the others.

// errNoRole is AWS's answer when the pool has no role for the caller.
func errNoRole() *apierr.Error {
	return apierr.New(apierr.InvalidIdentityPoolConfiguration,
		"Invalid identity pool configuration. Check assigned IAM roles for this pool.")
}

// errDenied is AWS's text when AmbiguousRoleResolution is Deny (observed in
// aws-amplify/amplify-js#8644). The code is not observed; NotAuthorized is
// what api-notes §4.5 infers.
func errDenied() *apierr.Error {
	return apierr.NotAuthorizedf("The ambiguous role mapping rules denied this request.")
}

// errCustomRole refuses a CustomRoleArn the login may not assume. AWS's text
// is not documented; this wording and code are our choice.
func errCustomRole(arn string) *apierr.Error {
	return apierr.NotAuthorizedf("Access to Role '%s' is forbidden.", arn)
}

// errSAMLChoose asks for CustomRoleArn when a SAML assertion carries several
// roles (the SAML guide requires it); text and code are our choice.
func errSAMLChoose() *apierr.Error {
	return apierr.InvalidParameterf("The SAML assertion contains more than one role; set CustomRoleArn to choose one.")
}
