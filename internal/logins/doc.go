// Package logins verifies the tokens of a Logins map (GetId, GetOpenIdToken,
// GetCredentialsForIdentity, UnlinkIdentity) against an identity pool's
// configuration: idpool's own OpenID tokens, Cognito user pool ID tokens,
// IAM OpenID Connect providers, IAM SAML providers and the social providers
// (Google, Apple, Facebook, Login with Amazon, Twitter). It answers with an
// identity.VerifiedLogin or a NotAuthorizedException in AWS's words.
//
// It also owns the IAM provider resources those logins are checked against
// (CreateOpenIDConnectProvider, CreateSAMLProvider, ...; see IAMActions) and
// the replay cache of SAML assertions. It does not create or link
// identities, resolve roles or issue tokens: that is the operations layer's.
package logins
