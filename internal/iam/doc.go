// Package iam is the core of idpool's minimal IAM: roles with their trust
// policies, and the OpenID Connect and SAML identity providers, as records
// in storage (each kind named here once) and the rules every path that
// writes them applies. It speaks no protocol and opens no transaction: the
// Query actions (package iamquery) and the other operation tables read and
// write these records inside transactions of their own.
//
// Evaluating trust policies is package policy's, assuming roles package sts's,
// verifying logins against providers package logins's.
package iam
