package ops

import (
	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/roles"
	"github.com/idpool/idpool/internal/storage"
	"github.com/idpool/idpool/internal/trace"
)

// roleFuncs returns the role resolution of package roles.
func roleFuncs() (func(*trace.Recorder, *storage.Pool, []*identity.VerifiedLogin, string) (string, error), func(*storage.Pool, []*identity.VerifiedLogin) map[string]string) {
	return roles.ResolveTraced, roles.PrincipalTags
}
