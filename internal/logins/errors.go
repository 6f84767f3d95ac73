package logins

import (
	"strconv"

	"github.com/idpool/idpool/internal/apierr"
)

// AWS's NotAuthorizedException texts for login tokens (api-notes §4.7, §4.12).
const (
	msgUnsupported    = "Token is not from a supported provider of this identity pool."
	msgIssuer         = "Invalid login token. Issuer doesn't match providerName"
	msgMissingAud     = "Invalid login token. Missing a required claim: aud"
	msgSignature      = "Invalid login token. Couldn't verify signed token."
	msgNotCognito     = "Invalid login token. Not a Cognito token."
	msgInvalid        = "Invalid login token."
	msgNotYetValid    = "Invalid login token. Token used before it is valid."
	msgUserNotAllowed = "Invalid login token. The user is signed out, disabled or deleted."
)

func refuse(msg string) *apierr.Error { return apierr.NotAuthorizedf("%s", msg) }

// refuseCause refuses with msg and keeps cause for the logs.
func refuseCause(msg string, cause error) *apierr.Error { return refuse(msg).Wrap(cause) }

// expired is AWS's "Token expired: <now> >= <exp>" (Unix seconds; see checkTimes).
func expired(now, exp int64) *apierr.Error {
	return refuse("Invalid login token. Token expired: " + strconv.FormatInt(now, 10) + " >= " + strconv.FormatInt(exp, 10))
}

// unavailable reports that a provider could not be reached. AWS's answer is
// not documented; [inf] the modelled ExternalServiceException ("An exception
// thrown when a dependent service such as Facebook or Twitter is not
// responding") is what a client expects.
func unavailable(provider string, cause error) *apierr.Error {
	return apierr.New(apierr.ExternalService, "Could not reach %s to verify the login token.", provider).Wrap(cause)
}
