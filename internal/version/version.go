// Package version reports the build version of idpool.
package version

// Version is set at build time with -ldflags "-X .../version.Version=v1.2.3".
var Version = "dev"
