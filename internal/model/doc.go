// Package model validates Cognito Identity request bodies against AWS's
// botocore model the way AWS's request framework (Coral) does, so every
// operation answers malformed or out-of-constraint input with AWS's own
// SerializationException and ValidationException texts.
//
// It owns only the shape of a request: types, required members, lengths,
// ranges, patterns and enums. It knows nothing about HTTP, signatures or
// Cognito rules (pool existence, login checks), which the wire and identity
// layers enforce after a body has passed here.
package model
