package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const explainUsage = "usage: " + progName + " explain REQUEST_ID\n" +
	"       " + progName + " explain --last [--operation OP] [--identity-id ID] [--identity-pool-id ID]\n" +
	"       " + progName + " explain-credentials --identity-pool-id ID [--identity-id ID] [--logins PROVIDER=TOKEN,...] [--custom-role-arn ARN]\n" +
	"       " + progName + " SUBCOMMAND ... --explain"

const explainHelp = explainUsage + `

Every GetId, GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity,
GetCredentialsForIdentity, UnlinkIdentity and STS AssumeRoleWithWebIdentity
call is traced under its request id (x-amzn-RequestId): the pool, each
login's checks, the identity, the role, the trust policy and the STS, with
the values compared. explain prints a call's trace, the failing step marked
(>>); --last the newest matching one. explain-credentials is a dry run of
GetCredentialsForIdentity (and of GetId without --identity-id): it says what
the call would answer and why, and creates, links and changes nothing.
--explain on any subcommand prints the call's trace to stderr after the
answer. --output json prints the server's answer as it is. Traces belong to
the account whose keys sign the command (docs/explain.md).
`

// explain runs "idpool explain REQUEST_ID" and "idpool explain --last".
func (r *runner) explain(ctx context.Context, args []string, g *globals) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		_, err := io.WriteString(r.stdout, explainHelp)
		return err
	}
	id := ""
	if args[0] != "--last" {
		if strings.HasPrefix(args[0], "--") || len(args) > 1 {
			return &usageError{"explain takes a request id, or --last with its filters"}
		}
		id = args[0]
	} else {
		in, err := extensionInput(args[1:], map[string]string{"--operation": "Operation", "--identity-id": "IdentityId", "--identity-pool-id": "IdentityPoolId"})
		if err != nil {
			return err
		}
		in["MaxResults"] = 1
		out, err := r.callExtension(ctx, g, "ListTraces", in)
		if err != nil {
			return err
		}
		var list struct{ Traces []struct{ RequestId string } }
		if err := json.Unmarshal(out, &list); err != nil {
			return &fatalError{fmt.Sprintf("the server's answer is not JSON: %v", err)}
		}
		if len(list.Traces) == 0 {
			return &fatalError{"No trace matches: the server keeps the latest traces of the signing account (docs/explain.md)."}
		}
		id = list.Traces[0].RequestId
	}
	out, err := r.callExtension(ctx, g, "GetTrace", map[string]any{"RequestId": id})
	if err != nil {
		return err
	}
	return r.printExplained(g, out, r.stdout)
}

// explainCredentials runs "idpool explain-credentials".
func (r *runner) explainCredentials(ctx context.Context, args []string, g *globals) error {
	if len(args) > 0 && (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
		_, err := io.WriteString(r.stdout, explainHelp)
		return err
	}
	in, err := extensionInput(args, map[string]string{"--identity-pool-id": "IdentityPoolId", "--identity-id": "IdentityId",
		"--logins": "Logins", "--custom-role-arn": "CustomRoleArn"})
	if err != nil {
		return err
	}
	if in["IdentityPoolId"] == nil {
		return &usageError{"the following arguments are required: --identity-pool-id"}
	}
	if raw, ok := in["Logins"].(string); ok {
		logins, err := parseLogins(raw)
		if err != nil {
			return err
		}
		in["Logins"] = logins
	}
	out, err := r.callExtension(ctx, g, "ExplainCredentials", in)
	if err != nil {
		return err
	}
	return r.printExplained(g, out, r.stdout)
}

// parseLogins reads --logins: PROVIDER=TOKEN,... or a JSON object.
func parseLogins(raw string) (map[string]string, error) {
	out := map[string]string{}
	if strings.HasPrefix(strings.TrimSpace(raw), "{") {
		if err := json.Unmarshal([]byte(raw), &out); err != nil {
			return nil, &paramError{"Error parsing parameter '--logins': Invalid JSON: " + err.Error()}
		}
		return out, nil
	}
	for _, kv := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, &paramError{"Error parsing parameter '--logins': expected PROVIDER=TOKEN,..."}
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// printExplained prints a GetTrace or ExplainCredentials answer: as it is
// with --output json, else as text.
func (r *runner) printExplained(g *globals, answer []byte, w io.Writer) error {
	if g.output == "json" {
		v, err := orderedJSON(json.NewDecoder(bytes.NewReader(answer)))
		if err != nil {
			return &fatalError{fmt.Sprintf("the server's answer is not JSON: %v", err)}
		}
		return writeJSON(w, v)
	}
	var a struct {
		Trace   *traceView
		Outcome *struct {
			RoleArn string
			Error   *struct{ Type, Message string }
		}
	}
	if err := json.Unmarshal(answer, &a); err != nil || a.Trace == nil {
		return &fatalError{"the server's answer is not a trace"}
	}
	var b strings.Builder
	if o := a.Outcome; o != nil {
		if o.Error != nil {
			fmt.Fprintf(&b, "GetCredentialsForIdentity would be refused: %s: %s\n", o.Error.Type, o.Error.Message)
		} else {
			fmt.Fprintf(&b, "GetCredentialsForIdentity would vend credentials for %s\n", o.RoleArn)
		}
	}
	a.Trace.write(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// traceView is a trace as the server sends it.
type traceView struct {
	RequestId, Operation, Time, IdentityPoolId, IdentityId, Outcome, ErrorType, ErrorMessage string
	Steps                                                                                    []struct {
		Phase, Check, Result, Detail string
		Facts                        map[string]string
	}
}

// write prints the trace for a person: a header, then one line per step
// with its facts beneath; the first failed step, the cause, is marked >>.
func (t *traceView) write(b *strings.Builder) {
	fmt.Fprintf(b, "Trace %s: %s at %s: %s", t.RequestId, t.Operation, t.Time, t.Outcome)
	if t.ErrorType != "" {
		fmt.Fprintf(b, " (%s: %s)", t.ErrorType, t.ErrorMessage)
	}
	b.WriteString("\n")
	if t.IdentityPoolId != "" || t.IdentityId != "" {
		fmt.Fprintf(b, "   pool %s  identity %s\n", orDash(t.IdentityPoolId), orDash(t.IdentityId))
	}
	caused := false
	for _, s := range t.Steps {
		mark := "  "
		if s.Result == "fail" && !caused {
			mark, caused = ">>", true
		}
		fmt.Fprintf(b, "%s %-4s %-28s %s\n", mark, strings.ToUpper(s.Result), s.Phase+"/"+s.Check, s.Detail)
		keys := make([]string, 0, len(s.Facts))
		for k, v := range s.Facts {
			if v != "" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(b, "        %s: %s\n", k, s.Facts[k])
		}
	}
	if caused {
		b.WriteString(">> marks the cause: the first step that failed.\n")
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// captureRequestID records the request id of a call's answer (--explain).
func captureRequestID(dst *string) func(*cognitoidentity.Options) {
	return func(o *cognitoidentity.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("idpoolCaptureRequestID",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil {
						if id := resp.Header.Get("x-amzn-RequestId"); id != "" {
							*dst = id
						}
					}
					return out, md, err
				}), middleware.After)
		})
	}
}

// explainCall prints the trace of the CLI's own last call to stderr
// (--explain); a call that is not traced says so.
func (r *runner) explainCall(ctx context.Context, g *globals) string {
	if r.requestID == "" {
		return "\nexplain: the answer carried no request id.\n"
	}
	out, err := r.callExtension(ctx, g, "GetTrace", map[string]any{"RequestId": r.requestID})
	if err != nil {
		return "\nexplain: no trace of request " + r.requestID + ": " + err.Error() + "\n"
	}
	var b bytes.Buffer
	if err := r.printExplained(g, out, &b); err != nil {
		return "\nexplain: " + err.Error() + "\n"
	}
	return "\n" + b.String()
}
