// Package sts is idpool's embedded Security Token Service: it exchanges
// idpool's identity-pool OpenID tokens for real temporary credentials
// (AssumeRoleWithWebIdentity, over the Query protocol and in-process for the
// enhanced flow), checks each role's trust policy as AWS does, answers
// GetCallerIdentity, and verifies the credentials it vended (Keyring).
//
// Vended credentials are stateless: the session token is an AES-GCM sealed
// record of the secret, the role and the expiry, under a key kept in a
// storage Blob that every node shares. Nothing per-session is stored and no
// secret is ever stored in plain text.
//
// External is the other CredentialVendor: a real STS (AWS, MinIO, Ceph RGW)
// reached with the AWS SDK.
package sts
