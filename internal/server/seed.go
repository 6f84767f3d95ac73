package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/idpool/idpool/internal/stack"
)

// seedRegion is the region of a seed file that names none.
const seedRegion = "us-east-1"

// seed applies the stack file at path (serve --seed) before the listener
// serves: through the composed handler in-process, signed with the first
// key of the first account (the development account without --config).
//
// In-process rather than over a loopback listener: nothing can reach a
// half-seeded server (the port answers nothing until the seed is in),
// and the listen address (0.0.0.0, a port in use by a proxy) does not
// matter; yet every change takes the wire's whole pipeline (SigV4,
// validation, the operations' transactions) as "idpool apply" would.
func seed(ctx context.Context, a *app, s settings, path string, log *slog.Logger) error {
	if len(s.cfg.Accounts) == 0 || len(s.cfg.Accounts[0].Keys) == 0 {
		return errors.New("--seed: the config file has no account with keys to apply the seed as")
	}
	acct := s.cfg.Accounts[0]
	text, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--seed: %w", err)
	}
	var f *stack.File
	if stack.IsTemplate(text) {
		// A CloudFormation template seeds the first account in us-east-1
		// with its parameters' defaults and placeholder values.
		var info *stack.Template
		f, info, err = stack.ParseTemplate(path, text, stack.TemplateOptions{Region: seedRegion, AccountID: acct.ID})
		if err == nil {
			for _, sk := range info.Skipped {
				log.Info("seed: skipped " + sk)
			}
			for _, out := range info.Outputs {
				log.Info("seed: output", "name", out[0], "value", out[1])
			}
		}
	} else {
		f, err = stack.Parse(path, text)
	}
	if err != nil {
		return fmt.Errorf("--seed: %w", err)
	}
	key := acct.Keys[0]
	region := f.Region
	if region == "" {
		region = seedRegion
	}
	cfg := aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.SecretAccessKey, ""),
		HTTPClient:       &http.Client{Transport: inProcess{a.handler}},
		RetryMaxAttempts: 1,
	}
	var out strings.Builder
	res, err := stack.Apply(ctx, f, stack.NewClients(cfg, "http://idpool-seed"), stack.Options{Out: &out})
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line != "" {
			log.Info("seed: " + line)
		}
	}
	if err != nil {
		return fmt.Errorf("--seed: %w", err)
	}
	log.Info("seed applied", "file", path, "account", acct.ID, "region", region,
		"created", res.Create, "updated", res.Update, "unchanged", res.Unchanged)
	return nil
}

// inProcess is an http.RoundTripper that serves requests with a handler.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if r.Host == "" {
		r.Host = r.URL.Host // what a server sees in the Host header, which is signed
	}
	r.RemoteAddr = "127.0.0.1:0"
	r.RequestURI = r.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
