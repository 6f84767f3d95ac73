// Package sts is the core of idpool's embedded Security Token Service: it
// exchanges web identity tokens (idpool's own, or an IAM OIDC provider's)
// for real temporary credentials, checks each role's trust policy as AWS
// does, and verifies the credentials it vended (Keyring). It speaks no
// protocol and opens no transaction: the Query actions (package stsquery)
// and the enhanced flow (package ops) pass the IAM records they read.
//
// Vended credentials are stateless: the session token is an AES-GCM sealed
// record of the secret, the role and the expiry, under a key kept in a
// storage Blob that every node shares, loaded once at start-up. Nothing per-session is stored and no
// secret is ever stored in plain text.
//
// External is the other CredentialVendor: a real STS (AWS, MinIO, Ceph RGW)
// reached with the AWS SDK.
package sts
