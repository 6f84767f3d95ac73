package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"
	"github.com/mattn/go-isatty"
	"sigs.k8s.io/yaml"
)

func (r *runner) runOperation(ctx context.Context, op *operation, g *globals, args []string) error {
	p, err := parseOpArgs(op, args)
	if err != nil {
		return err
	}
	if p.skeletonSet && p.skeleton == "input" {
		sk := any(newObject())
		if op.Input != nil {
			sk = skeleton(op.Input, nil, "", false)
		}
		return writeJSON(r.stdout, sk)
	}
	if p.skeletonSet && p.skeleton == "yaml-input" {
		if op.Input == nil {
			_, err := io.WriteString(r.stdout, "{}\n")
			return err
		}
		_, err := io.WriteString(r.stdout, yamlSkeleton(op.Input))
		return err
	}
	var q *printer
	format := outputFormat(g)
	if !validChoice(format, outputChoices) {
		return &usageError{"argument --output: Invalid choice, valid choices are:\n\n" + choiceColumns(outputChoices)}
	}
	q = &printer{format: format, color: g.color, out: r.stdout}
	if g.queryGiven {
		if q.query, err = compileQuery(g.query); err != nil {
			return err
		}
		q.queryText = g.query
	}

	params, err := r.inputFile(p)
	if err != nil {
		return err
	}
	fromFile := p.inputJSON != "" || p.inputYAML != ""
	paging := op.Paging != nil && !g.noPaginate
	if paging {
		for _, n := range []string{op.Paging.InputToken, op.Paging.LimitKey} {
			if _, ok := p.values[n]; ok {
				paging = false
			}
			if _, ok := params.get(n); ok {
				paging = false
			}
		}
	}
	if !paging && len(p.pagingGiven) > 0 {
		return &paramError{"Cannot specify --no-paginate along with pagination arguments: " + strings.Join(p.pagingGiven, ", ")}
	}
	missing := missingRequired(op, p, fromFile)
	if paging {
		// idpool: a paginated listing needs no page size from the user.
		missing = without(missing, "--"+xformName(op.Paging.LimitKey))
	}
	if len(missing) > 0 {
		return &usageError{"the following arguments are required: " + strings.Join(missing, ", ")}
	}
	for _, name := range p.order {
		m := op.Input.member(name)
		if b, ok := p.bools[name]; ok {
			params.set(name, b)
			continue
		}
		v, err := unpackArg("--"+xformName(name), m.Shape, p.values[name])
		if err != nil {
			return err
		}
		params.set(name, v)
	}
	if paging {
		if err := applyPageSize(op, params, p.pageSize); err != nil {
			return err
		}
	}
	if op.Input != nil {
		if msg := validateParams(op.Input, params); msg != "" {
			return &paramError{msg}
		}
	}
	if p.skeletonSet && p.skeleton == "output" {
		out := newObject()
		if op.Output != nil {
			out = skeleton(op.Output, nil, "", true).(*object)
			// The aws CLI's stubbed client validates the sample response as
			// it would a request, so some operations refuse their own sample.
			if msg := validateParams(op.Output, out); msg != "" {
				return &paramError{msg}
			}
		}
		return q.print(op.Name, &result{single: out})
	}

	signed := !op.Unsigned
	r.endpoint = resolveEndpoint(g.endpointURL, os.Getenv)
	client, err := newClient(ctx, g, r.endpoint, signed)
	if err != nil {
		return err
	}
	call := invokers()[op.Name]
	var dbg *debugLog
	if g.debug {
		dbg = &debugLog{w: r.stderr}
	}
	fetch := func(params *object) (*object, error) {
		body, err := json.Marshal(plain(params))
		if err != nil {
			return nil, &fatalError{err.Error()}
		}
		var raw []byte
		attempts, status := 0, 0
		opts := []func(*cognitoidentity.Options){captureBody(&raw, &attempts, &status)}
		if g.explain {
			opts = append(opts, captureRequestID(&r.requestID))
		}
		if dbg != nil {
			dbg.request(op.Name, params)
			opts = append(opts, dbg.option())
		}
		if err := call(ctx, client, body, opts...); err != nil {
			return nil, r.callError(op, client, attempts, status, raw, err)
		}
		resp, err := parseResponse(op.Output, raw)
		if err != nil {
			return nil, &fatalError{err.Error()}
		}
		return resp, nil
	}
	var res *result
	if paging {
		prog := r.progress()
		res, err = paginate(op, params, p.startToken, p.maxItems, fetch, prog)
		if prog != nil {
			fmt.Fprint(r.stderr, "\r\x1b[K")
		}
	} else {
		var single *object
		single, err = fetch(params)
		res = &result{single: single}
	}
	if err != nil {
		return err
	}
	return q.print(op.Name, res)
}

// progress returns a reporter for long listings when stderr is a terminal.
func (r *runner) progress() progressFunc {
	f := r.stderrFile()
	if f == nil || !isatty.IsTerminal(f.Fd()) {
		return nil
	}
	return func(items, pages int) {
		fmt.Fprintf(f, "\r\x1b[Kfetched %d items (%d pages)...", items, pages)
	}
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// inputFile loads --cli-input-json or --cli-input-yaml (file:// allowed).
func (r *runner) inputFile(p *parsed) (*object, error) {
	switch {
	case p.inputJSON != "":
		text, err := loadParamFile("--cli-input-json", p.inputJSON)
		if err != nil {
			return nil, err
		}
		v, err := decodeJSON([]byte(text))
		if err != nil {
			return nil, &paramError{"Error parsing parameter 'cli-input-json': Invalid JSON received."}
		}
		return inputMap("--cli-input-json", v)
	case p.inputYAML != "":
		text, err := loadParamFile("--cli-input-yaml", p.inputYAML)
		if err != nil {
			return nil, err
		}
		js, err := yaml.YAMLToJSON([]byte(text))
		if err != nil {
			return nil, &paramError{"Error parsing parameter 'cli-input-yaml': Invalid YAML received."}
		}
		v, err := decodeJSON(js)
		if err != nil {
			return nil, &paramError{"Error parsing parameter 'cli-input-yaml': Invalid YAML received."}
		}
		return inputMap("--cli-input-yaml", v)
	}
	return newObject(), nil
}

// inputMap insists the input document is a mapping, with awscli's words.
func inputMap(flag string, v any) (*object, error) {
	if o, ok := v.(*object); ok {
		return o, nil
	}
	return nil, &paramError{fmt.Sprintf("Error parsing parameter '%s': Invalid type: expecting map, received %s", flag, pyTypeOf(v))}
}

// callError turns an SDK error into the aws CLI's message and exit code.
func (r *runner) callError(op *operation, c *cognitoidentity.Client, attempts, status int, raw []byte, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		se := &serviceError{code: api.ErrorCode(), message: api.ErrorMessage(), op: op.Name, retries: -1}
		if !json.Valid(raw) && status != 0 {
			// botocore names an error without a JSON body by its status.
			se.code, se.message = strconv.Itoa(status), ""
		}
		// botocore notes "reached max retries" whenever the last attempt
		// was the last allowed one, retryable error or not.
		o := c.Options()
		max := o.RetryMaxAttempts
		if max == 0 && o.Retryer != nil {
			max = o.Retryer.MaxAttempts()
		}
		if max > 0 && attempts >= max {
			se.retries = max - 1
		}
		return se
	}
	var fe *fatalError
	if errors.As(err, &fe) {
		return fe
	}
	endpoint := endpointOf(err)
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return &fatalError{fmt.Sprintf("Read timeout on endpoint URL: \"%s\"", endpoint)}
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return &fatalError{fmt.Sprintf("Could not connect to the endpoint URL: \"%s\"\n%s", endpoint, connectHint(r.endpoint))}
	}
	return &fatalError{err.Error()}
}

// endpointOf finds the request URL in a transport error.
func endpointOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			if u.Path == "" {
				u.Path = "/"
			}
			return u.String()
		}
		return ue.URL
	}
	return ""
}
