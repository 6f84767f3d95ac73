// Package policy parses IAM policy documents and evaluates role trust
// policies the way AWS STS does at every AssumeRoleWithWebIdentity: the
// request's federated principal, action and condition context against the
// role's statements, an explicit Deny winning over any Allow.
//
// It owns the policy grammar and condition operators only. Which context keys
// a request carries (cognito-identity.amazonaws.com:aud, aws:RequestTag/...)
// is decided by the caller (package sts); storing documents is package iam's.
package policy
