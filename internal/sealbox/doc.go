// Package sealbox seals idpool's secret blobs (token signing keys, the STS
// session-token key, the pagination HMAC key) at rest with one encryption
// key: AES-256-GCM under a key derived from it, with the blob's name as
// additional data so a sealed value cannot be moved under another name.
//
// Wrap decorates a storage.Store so every blob is sealed as it is written
// and opened as it is read; the packages that own the blobs need not know.
// Prepare runs at startup: it seals blobs stored in the clear before a key
// was configured, and refuses to start without a key when a blob is sealed.
package sealbox
