// Package version reports the build version of idpool.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at build time (make build, make release):
//
//	-ldflags "-X github.com/idpool/idpool/internal/version.Version=v1.2.3
//	          -X github.com/idpool/idpool/internal/version.Commit=<git sha>
//	          -X github.com/idpool/idpool/internal/version.Date=<RFC 3339 commit time>"
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// Get returns the version, commit and date. Without -ldflags, a binary
// built by "go install github.com/idpool/idpool/cmd/idpool@v1.2.3" still
// knows its module version, and one built from a checkout its VCS stamp.
func Get() (v, commit, date string) {
	v, commit, date = Version, Commit, Date
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v, commit, date
	}
	if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && commit == "":
			commit = s.Value
		case s.Key == "vcs.time" && date == "":
			date = s.Value
		}
	}
	return v, commit, date
}

// String is what "idpool version" prints.
func String() string {
	v, commit, date := Get()
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return fmt.Sprintf("idpool %s\ncommit: %s\ndate: %s\ngo: %s %s/%s", v, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
