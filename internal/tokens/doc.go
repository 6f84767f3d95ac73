// Package tokens issues and verifies identity-pool OpenID tokens: RS512 JWTs
// shaped like Amazon Cognito's, signed with RSA keys kept in storage and
// rotated on a schedule, published as an OpenID discovery document and a
// JWKS.
//
// Keys live in one storage Blob that every server process sharing the store
// reads; writes are compare-and-swap, so two processes never both create the
// first key or rotate twice. Each key is published one rotation period before
// it signs (the "next" key) and stays published until every token it signed
// has expired. The signing path reads no storage: the active key is cached
// and the blob is re-read at most every few seconds, off the request path.
package tokens
