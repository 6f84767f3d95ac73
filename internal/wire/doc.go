// Package wire is idpool's HTTP front end for the AWS JSON 1.1 protocol on
// POST /: it routes X-Amz-Target to an ops.Operation, verifies SigV4 (service
// cognito-identity), validates the body against the model, and writes
// successes and AWS-shaped errors. Form-encoded POSTs (the Query protocol of
// the embedded STS and IAM) go to a separate handler; a few GET paths (health,
// JWKS, discovery) are plain handlers. It owns the envelope only: operations
// own Cognito's rules, and apierr owns the error vocabulary.
package wire
