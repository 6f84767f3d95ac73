package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

const loginHelp = "usage: " + progName + " login mint --provider PROVIDER --sub SUBJECT [--claim NAME=VALUE ...] [--expires-in D]\n" +
	"                         [--audience CLIENT_ID] [--identity-pool-id ID]" + `

A test login that idpool's own verifiers accept (docs/testing-clients.md):
idpool is then the identity provider, so CI needs no Google, Apple, user
pool or SAML IdP. PROVIDER is the Logins key: accounts.google.com,
appleid.apple.com, cognito-idp.REGION.amazonaws.com/POOL_ID, an OpenID
Connect provider registered in IAM (host/path), or a SAML provider's ARN.
Prints the token (a base64 SAML response for SAML); --output json prints
the whole answer (Token, Provider, Audience, Expiration).

The token carries the provider's iss, the audience (--audience, else the
first client id the pool or IAM provider configures), sub, exp
(--expires-in, a duration such as 15m, 1s to 24h, default 1h) and each
--claim. It is signed with a key of this server process and the signing
account, and verifies only there: development mode, or testIssuer.enabled:
true in the config file. A real provider never accepts it.
`

// login runs "idpool login mint": IdpoolService.MintLogin.
func (r *runner) login(ctx context.Context, args []string, g *globals) error {
	return r.extensionCommand(ctx, args, g, loginHelp, map[string]extCommand{
		"mint": {target: "MintLogin", flags: map[string]string{
			"--provider": "Provider", "--sub": "Subject", "--claim": "Claims", "--expires-in": "ExpiresIn",
			"--audience": "Audience", "--identity-pool-id": "IdentityPoolId",
		}, print: printToken},
	})
}

// printToken prints a MintLogin answer's token alone, so a shell can take
// it with $(idpool login mint ...); --output json prints all of it.
func printToken(r *runner, g *globals, answer []byte) error {
	if g.output == "json" {
		v, err := orderedJSON(json.NewDecoder(bytes.NewReader(answer)))
		if err != nil {
			return &fatalError{fmt.Sprintf("the server's answer is not JSON: %v", err)}
		}
		return writeJSON(r.stdout, v)
	}
	var out struct {
		Token string `json:"Token"`
	}
	if err := json.Unmarshal(answer, &out); err != nil || out.Token == "" {
		return &fatalError{"the server's answer has no Token"}
	}
	_, err := io.WriteString(r.stdout, out.Token+"\n")
	return err
}
