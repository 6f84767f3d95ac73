package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const faultUsage = "usage: " + progName + " fault add --operation OP|'*' [--error CODE] [--latency D] [--times N] [--percent P]\n" +
	"                    [--start-after D] [--active-for D] [--identity-pool-id ID] [--identity-id ID] [--login PROVIDER] [--message TEXT]\n" +
	"       " + progName + " fault list\n" +
	"       " + progName + " fault clear [--fault-id ID]"

const faultHelp = faultUsage + `

Fault rules make the calls of the signing account fail or answer late on
purpose, to test an app's retries and timeouts (docs/testing-clients.md).
A rule answers with an error the model lists for the operation, with AWS's
status and message, and/or adds latency; every time, the first N times
(--times), a share of the time (--percent) or within a window (--start-after,
--active-for). It never reaches stored data. Rules are held in the server's
memory, per node, for the account whose keys sign the command.
`

// faultFlags maps fault add's options to the members of AddFault's input.
var faultFlags = map[string]string{
	"--operation": "Operation", "--error": "Error", "--message": "Message", "--latency": "Latency",
	"--times": "Times", "--percent": "Percent", "--start-after": "StartAfter", "--active-for": "ActiveFor",
	"--identity-pool-id": "IdentityPoolId", "--identity-id": "IdentityId", "--login": "Login",
}

// extCommand is one subcommand calling an idpool extension: its target
// and its options, by the input member they set.
type extCommand struct {
	target string
	flags  map[string]string
	// print writes the answer; nil: as the aws CLI prints JSON.
	print func(r *runner, g *globals, answer []byte) error
}

// fault runs "idpool fault add|list|clear": idpool's IdpoolService.AddFault,
// ListFaults and ClearFaults, signed with the CLI's credentials.
func (r *runner) fault(ctx context.Context, args []string, g *globals) error {
	return r.extensionCommand(ctx, args, g, faultHelp, map[string]extCommand{
		"add":   {target: "AddFault", flags: faultFlags},
		"list":  {target: "ListFaults", flags: nil},
		"clear": {target: "ClearFaults", flags: map[string]string{"--fault-id": "FaultId"}},
	})
}

// extensionCommand parses "SUBCOMMAND --option value ..." for one of subs
// and calls its extension. Times is an integer member, Percent a number;
// every other option is a string.
func (r *runner) extensionCommand(ctx context.Context, args []string, g *globals, help string, subs map[string]extCommand) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		_, err := io.WriteString(r.stdout, help)
		return err
	}
	sub, ok := subs[args[0]]
	if !ok {
		return &usageError{"argument subcommand: Invalid choice, valid choices are: " + strings.Join(slices.Sorted(maps.Keys(subs)), ", ")}
	}
	in, err := extensionInput(args[1:], sub.flags)
	if err != nil {
		return err
	}
	if sub.print != nil {
		out, err := r.callExtension(ctx, g, sub.target, in)
		if err != nil {
			return err
		}
		return sub.print(r, g, out)
	}
	return r.extension(ctx, g, sub.target, in)
}

// extensionInput parses "--option value ..." into an extension's input.
// Times is an integer member, Percent a number, Claims a map that each
// "--claim name=value" adds to; every other option is a string.
func extensionInput(args []string, flags map[string]string) (map[string]any, error) {
	in := map[string]any{}
	for i := 0; i < len(args); i++ {
		flag, val, hasVal := strings.Cut(args[i], "=")
		member, ok := flags[flag]
		if !ok {
			return nil, &usageError{"Unknown options: " + args[i]}
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, &usageError{"argument " + flag + ": expected one argument"}
			}
			i++
			val = args[i]
		}
		switch member {
		case "Claims":
			k, v, ok := strings.Cut(val, "=")
			if !ok || k == "" {
				return nil, &paramError{"Invalid value for " + flag + ": " + strconv.Quote(val) + " is not NAME=VALUE"}
			}
			claims, _ := in[member].(map[string]string)
			if claims == nil {
				claims = map[string]string{}
				in[member] = claims
			}
			claims[k] = v
		case "Times":
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, &paramError{"Invalid value for " + flag + ": " + strconv.Quote(val) + " is not an integer"}
			}
			in[member] = n
		case "Percent":
			p, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return nil, &paramError{"Invalid value for " + flag + ": " + strconv.Quote(val) + " is not a number"}
			}
			in[member] = p
		default:
			in[member] = val
		}
	}
	return in, nil
}

// extension calls idpool's IdpoolService.<target> with in, signed with the
// CLI's credentials, and prints the answer as the aws CLI prints JSON.
func (r *runner) extension(ctx context.Context, g *globals, target string, in map[string]any) error {
	out, err := r.callExtension(ctx, g, target, in)
	if err != nil {
		return err
	}
	v, err := orderedJSON(json.NewDecoder(bytes.NewReader(out)))
	if err != nil {
		return &fatalError{fmt.Sprintf("the server's answer is not JSON: %v", err)}
	}
	return writeJSON(r.stdout, v)
}

// callExtension calls idpool's IdpoolService.<target> with in, signed with
// the CLI's credentials, and returns the body of a 200 answer.
func (r *runner) callExtension(ctx context.Context, g *globals, target string, in map[string]any) ([]byte, error) {
	cfg, err := loadConfig(ctx, g, true)
	if err != nil {
		return nil, err
	}
	r.endpoint = resolveEndpoint(g.endpointURL, os.Getenv)
	if r.endpoint.url == "" {
		return nil, &configError{"IdpoolService." + target + " needs an idpool server: set --endpoint-url or IDPOOL_ENDPOINT_URL"}
	}
	body, _ := json.Marshal(in) // strings and numbers only
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(r.endpoint.url, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return nil, &paramError{err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "IdpoolService."+target)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, &configError{`Unable to locate credentials. You can configure credentials by running "aws configure".`}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "cognito-identity", cfg.Region, time.Now()); err != nil {
		return nil, &fatalError{err.Error()}
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, &fatalError{"Could not connect to the endpoint URL: \"" + r.endpoint.url + "/\"\n" + connectHint(r.endpoint)}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, &fatalError{err.Error()}
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(out, &e)
		if e.Type == "" {
			e.Type = strconv.Itoa(resp.StatusCode)
		}
		return nil, &serviceError{code: e.Type, message: e.Message, op: target, retries: -1}
	}
	return out, nil
}

// orderedJSON decodes one JSON value keeping the order of object members.
func orderedJSON(dec *json.Decoder) (any, error) {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			list := []any{}
			for dec.More() {
				v, err := orderedJSON(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		obj := newObject()
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := orderedJSON(dec)
			if err != nil {
				return nil, err
			}
			obj.set(fmt.Sprint(k), v)
		}
		_, err := dec.Token()
		return obj, err
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		f, err := t.Float64()
		return f, err
	}
	return tok, nil
}
