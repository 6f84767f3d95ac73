// Package wire is idpool's front end: it owns the port and the one pipeline
// every API request passes through, whatever its protocol: request id,
// panic recovery, body cap, in-flight cap, decode (by the request's codec),
// SigV4 verification, authorization, validation, rate limits, hooks (traces,
// faults), the call, the answer, 499 on hang-up, one log line and the
// metrics. The codecs (awsjson for Cognito Identity's AWS JSON 1.1,
// awsquery for STS and IAM) know their protocol's shapes and vocabulary;
// the operation tables own the rules. A few GET paths (health, metrics,
// key sets, discovery) are plain handlers.
package wire
