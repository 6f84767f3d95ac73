package cli

import (
	"fmt"
	"io"
	"strings"
)

// Command is one of the binary's own (server-side) commands, listed on the
// top-level help screen before the Cognito subcommands.
type Command struct {
	Name, Purpose string
}

// purposes is a one-line purpose per Cognito subcommand for the top-level
// help screen (the model's own first sentences are too long for one line).
// TestTopHelpCoversModel keeps it in step with the model.
var purposes = map[string]string{
	"create-identity-pool":                     "create an identity pool",
	"delete-identities":                        "delete up to 60 identities",
	"delete-identity-pool":                     "delete an identity pool and its identities",
	"describe-identity":                        "show an identity: its logins, creation and last change",
	"describe-identity-pool":                   "show a pool's configuration",
	"get-credentials-for-identity":             "temporary AWS credentials for an identity (needs the pool's roles)",
	"get-id":                                   "get or create the identity of a guest or a login",
	"get-identity-pool-roles":                  "show a pool's roles and role mappings",
	"get-open-id-token":                        "an OpenID token for an identity",
	"get-open-id-token-for-developer-identity": "an identity and OpenID token for a user of your own backend",
	"get-principal-tag-attribute-map":          "show which token claims become session tags",
	"list-identities":                          "list the identities of a pool",
	"list-identity-pools":                      "list the account's identity pools",
	"list-tags-for-resource":                   "list a pool's tags",
	"lookup-developer-identity":                "find identities by developer user identifier",
	"merge-developer-identities":               "merge two developer-authenticated identities",
	"set-identity-pool-roles":                  "set a pool's authenticated/unauthenticated roles and role mappings",
	"set-principal-tag-attribute-map":          "choose which token claims become session tags",
	"tag-resource":                             "tag a pool",
	"unlink-developer-identity":                "unlink a developer user identifier from an identity",
	"unlink-identity":                          "unlink a provider login from an identity",
	"untag-resource":                           "remove tags from a pool",
	"update-identity-pool":                     "replace a pool's configuration",
	"decode-token":                             "print and verify a JWT (idpool only)",
	"login mint":                               "a test login idpool accepts, for GetId without a real IdP (idpool only)",
	"explain":                                  "why a call was decided as it was: its trace, step by step (idpool only)",
	"explain-credentials":                      "what GetCredentialsForIdentity would answer and why, changing nothing (idpool only)",
}

// TopHelp is the screen of "idpool", "idpool help" and "idpool --help":
// what idpool is, its server commands, then every Cognito subcommand.
func TopHelp(server []Command) (string, error) {
	m, err := loadModel()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("idpool: a self-hostable Amazon Cognito Identity (identity pools) server, and a\n" +
		"CLI for it that mirrors \"aws cognito-identity\".\n\n" +
		"usage: idpool <command> [options]\n" +
		"       idpool <subcommand> [parameters] [--endpoint-url URL] [--output json|text|table|yaml]\n\n" +
		"Server commands (idpool <command> --help for their flags):\n")
	for _, c := range server {
		fmt.Fprintf(&b, "  %-42s %s\n", c.Name, c.Purpose)
	}
	b.WriteString("\nCognito Identity subcommands (as \"aws cognito-identity\"; idpool <subcommand> help):\n")
	names := make([]string, 0, len(m.Operations)+1)
	for _, op := range m.Operations {
		names = append(names, op.CLI)
	}
	names = append(names, "decode-token", "login mint", "explain", "explain-credentials")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-42s %s\n", n, purposes[n])
	}
	b.WriteString("\nThe subcommands call --endpoint-url, else $IDPOOL_ENDPOINT_URL,\n" +
		"$AWS_ENDPOINT_URL_COGNITO_IDENTITY, $AWS_ENDPOINT_URL, else AWS itself.\n" +
		"Against a development server (idpool serve):\n" +
		"  export IDPOOL_ENDPOINT_URL=http://127.0.0.1:9350 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1\n" +
		"  idpool create-identity-pool --identity-pool-name demo --allow-unauthenticated-identities\n\n" +
		"idpool cognito-identity help: the service's own documentation. More: README.md, docs/cli.md.\n")
	return b.String(), nil
}

// WriteTopHelp writes TopHelp to w; the exit code is 0, or 255 when the
// embedded model does not load.
func WriteTopHelp(w, stderr io.Writer, server []Command) int {
	s, err := TopHelp(server)
	if err != nil {
		fmt.Fprintf(stderr, "\n%s\n", err)
		return exitOther
	}
	if _, err := io.WriteString(w, s); err != nil {
		return exitOther
	}
	return exitOK
}
