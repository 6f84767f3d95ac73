package cli

import "context"

const lifetimesHelp = "usage: " + progName + " lifetimes set [--identity-pool-id ID] [--credentials D] [--open-id-token D] [--developer-token D]\n" +
	"       " + progName + " lifetimes get [--identity-pool-id ID]" + `

Short lifetimes for testing an app's refresh paths (docs/testing-clients.md):
vended credentials (AWS: 1h), GetOpenIdToken tokens (AWS: 10m) and
GetOpenIdTokenForDeveloperIdentity's default TokenDuration (AWS: 15m), as Go
durations ("30s"), down to 1s; for one pool of the signing account, or for
all its pools. Options left out inherit (the account's, the server's, AWS's);
set with none resets. Development mode only, unless the server's config file
has lifetimes.enabled: true.
`

// lifetimes runs "idpool lifetimes set|get": IdpoolService.SetLifetimes and
// GetLifetimes.
func (r *runner) lifetimes(ctx context.Context, args []string, g *globals) error {
	pool := map[string]string{"--identity-pool-id": "IdentityPoolId"}
	return r.extensionCommand(ctx, args, g, lifetimesHelp, map[string]extCommand{
		"set": {target: "SetLifetimes", flags: map[string]string{"--identity-pool-id": "IdentityPoolId",
			"--credentials": "Credentials", "--open-id-token": "OpenIdToken", "--developer-token": "DeveloperToken"}},
		"get": {target: "GetLifetimes", flags: pool},
	})
}
