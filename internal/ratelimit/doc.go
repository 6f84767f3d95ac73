// Package ratelimit throttles Cognito Identity operations per account and
// operation, as AWS's request-rate quotas do, before any store access or
// signing work. Its settings are the config file's rateLimits section
// (config.RateLimits); it holds the optional AWS quota profile and the
// token buckets.
//
// Limits are per node: a cluster of N nodes behind a load balancer allows N
// times the configured rate.
package ratelimit
