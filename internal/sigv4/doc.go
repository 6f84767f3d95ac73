// Package sigv4 verifies AWS Signature Version 4 on incoming requests, in the
// Authorization header or in a presigned query string. It knows no service:
// it finds the signer's secret through an auth.Keyring, recomputes the
// signature with aws-sdk-go-v2's own signer over a request rebuilt from the
// signed headers only, and reports failures as *Error values that render as
// AWS's JSON-protocol or Query-protocol errors.
package sigv4
