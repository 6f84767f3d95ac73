package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// env is what the operations share: the pool under load, seeded identities
// and, for logins, the issuer and the tokens of the seeded logins.
type env struct {
	poolID     string
	identities []string
	issuer     *issuer
	loginKey   string   // the Logins map key: the issuer's host
	tokens     []string // one signed ID token per seeded login, reused
	bodies     bodies
}

// close stops what prepare started.
func (e *env) close() {
	if e.issuer != nil {
		e.issuer.close()
	}
}

type operation func(ctx context.Context, c *client, e *env, worker, i int) (string, error)

// operations are the hot paths of an identity pool, by their --mix names.
// Request bodies are encoded once by prepare (env.bodies), not per request.
var operations = map[string]operation{
	// GetId creating a guest identity (a durable write per request).
	"getid-new": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "GetId", false, e.bodies.pool, nil)
	},
	// GetOpenIdToken for an existing guest identity (an RS512 signature per request).
	"openid": func(ctx context.Context, c *client, e *env, w, i int) (string, error) {
		return c.call(ctx, "GetOpenIdToken", false, pick(e.bodies.identities, w, i), nil)
	},
	// GetCredentialsForIdentity for an existing guest identity.
	"creds": func(ctx context.Context, c *client, e *env, w, i int) (string, error) {
		return c.call(ctx, "GetCredentialsForIdentity", false, pick(e.bodies.identities, w, i), nil)
	},
	// DescribeIdentityPool, SigV4-signed.
	"describe": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "DescribeIdentityPool", true, e.bodies.pool, nil)
	},
	// GetIdentityPoolRoles, SigV4-signed.
	"roles": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "GetIdentityPoolRoles", true, e.bodies.pool, nil)
	},
	// ListIdentityPools, a page of 60 of the account's pools, SigV4-signed.
	"pools": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "ListIdentityPools", true, e.bodies.pools, nil)
	},
	// GetId for a login that already has an identity: an RS256 token
	// verification and a lookup per request, no write.
	"getid-login": func(ctx context.Context, c *client, e *env, w, i int) (string, error) {
		return c.call(ctx, "GetId", false, pick(e.bodies.logins, w, i), nil)
	},
	// ListIdentities, first page of 60, SigV4-signed.
	"list": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "ListIdentities", true, e.bodies.list, nil)
	},
	// ListIdentities continuing from NextTokens collected deep into the
	// pool (see Config.ListPages), SigV4-signed.
	"list-deep": func(ctx context.Context, c *client, e *env, w, i int) (string, error) {
		return c.call(ctx, "ListIdentities", true, pick(e.bodies.deep, w, i), nil)
	},
}

// bodies are the operations' request bodies, encoded once.
type bodies struct {
	pool       []byte   // {"IdentityPoolId":...}
	list       []byte   // the pool and MaxResults 60
	pools      []byte   // MaxResults 60
	identities [][]byte // {"IdentityId":...} per seeded identity
	logins     [][]byte // the pool and one seeded login's token
	deep       [][]byte // list bodies with NextTokens deep into the pool
}

// encodeBodies fills e.bodies from the pool, identities and tokens.
func (e *env) encodeBodies() {
	enc := func(v any) []byte {
		b, _ := json.Marshal(v) // maps of strings and ints always encode
		return b
	}
	e.bodies.pool = enc(map[string]any{"IdentityPoolId": e.poolID})
	e.bodies.list = enc(map[string]any{"IdentityPoolId": e.poolID, "MaxResults": 60})
	e.bodies.pools = enc(map[string]any{"MaxResults": 60})
	for _, id := range e.identities {
		e.bodies.identities = append(e.bodies.identities, enc(map[string]any{"IdentityId": id}))
	}
	for _, tok := range e.tokens {
		e.bodies.logins = append(e.bodies.logins, enc(map[string]any{"IdentityPoolId": e.poolID,
			"Logins": map[string]string{e.loginKey: tok}}))
	}
}

// pick spreads workers over the seeded inputs.
func pick(b [][]byte, w, i int) []byte {
	return b[(w*7919+i)%len(b)]
}

// OperationNames lists the operations --mix accepts.
func OperationNames() []string {
	var n []string
	for k := range operations {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// needsIdentities reports whether the mix uses seeded identities.
func needsIdentities(mix map[string]int) bool {
	return mix["openid"] > 0 || mix["creds"] > 0
}

// needsLogins reports whether the mix uses seeded logins.
func needsLogins(mix map[string]int) bool { return mix["getid-login"] > 0 }

// prepare creates (or reuses) the pool and seeds identities and logins. The
// caller closes the env.
func prepare(ctx context.Context, c *client, cfg Config) (e *env, err error) {
	e = &env{poolID: cfg.PoolID}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	var providerARN string
	if needsLogins(cfg.Mix) {
		if cfg.PoolID != "" {
			return nil, fmt.Errorf("getid-login needs a pool the bench creates (leave out --pool)")
		}
		if providerARN, err = e.startLogins(ctx, c, cfg.IssuerDir); err != nil {
			return e, err
		}
	}
	if e.poolID == "" {
		in := map[string]any{
			"IdentityPoolName":               "idpool-bench",
			"AllowUnauthenticatedIdentities": true,
		}
		if providerARN != "" {
			in["OpenIdConnectProviderARNs"] = []string{providerARN}
		}
		var out struct{ IdentityPoolId string }
		if _, err := c.call(ctx, "CreateIdentityPool", true, in, &out); err != nil {
			return e, err
		}
		e.poolID = out.IdentityPoolId
		// Development servers trust any role ARN; a real deployment passes --pool
		// with roles already set.
		if _, err := c.call(ctx, "SetIdentityPoolRoles", true, map[string]any{
			"IdentityPoolId": e.poolID,
			"Roles":          map[string]string{"unauthenticated": "arn:aws:iam::000000000000:role/idpool-bench-guest"},
		}, nil); err != nil {
			return e, err
		}
	}
	if needsLogins(cfg.Mix) {
		if err := e.seedLogins(ctx, c, cfg.Logins, cfg.Concurrency, cfg.Duration); err != nil {
			return e, fmt.Errorf("seeding logins (the server must trust %s: start it with SSL_CERT_FILE=%s): %w",
				e.issuer.url, cfg.IssuerDir+"/"+issuerCertFile, err)
		}
	}
	if cfg.Mix["list-deep"] > 0 {
		if err := e.walkPages(ctx, c, cfg.ListPages); err != nil {
			return e, fmt.Errorf("collecting NextTokens: %w", err)
		}
	}
	if needsIdentities(cfg.Mix) {
		n := cfg.Seed
		if n <= 0 {
			n = 100
		}
		ids, err := fill(ctx, c, e.poolID, n, cfg.Concurrency, true)
		if err != nil {
			return e, err
		}
		e.identities = ids
	}
	e.encodeBodies()
	return e, nil
}

// fill creates n guest identities with the given concurrency and, when
// keep is set, returns their ids (a 10-million fill keeps none).
func fill(ctx context.Context, c *client, poolID string, n, conc int, keep bool) ([]string, error) {
	var ids []string
	if keep {
		ids = make([]string, n)
	}
	err := forEach(ctx, n, conc, func(i int) error {
		if !keep {
			_, err := c.call(ctx, "GetId", false, map[string]any{"IdentityPoolId": poolID}, nil)
			return err
		}
		var out struct{ IdentityId string }
		if _, err := c.call(ctx, "GetId", false, map[string]any{"IdentityPoolId": poolID}, &out); err != nil {
			return fmt.Errorf("identity %d: %w", i, err)
		}
		ids[i] = out.IdentityId
		return nil
	})
	return ids, err
}

// forEach runs fn(0..n-1) on conc workers and returns the first error;
// after an error the remaining indexes are skipped.
func forEach(ctx context.Context, n, conc int, fn func(i int) error) error {
	if conc < 1 {
		conc = 1
	}
	errs := make(chan error, conc)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := 0; i < n; i++ {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < conc; w++ {
		go func() {
			for i := range next {
				if err := fn(i); err != nil {
					errs <- err
					for range next {
					}
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for w := 0; w < conc; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// startLogins starts the OIDC issuer and registers it as an IAM OIDC
// provider of the account, through the endpoint's IAM with the AWS SDK. It
// returns the provider's ARN.
func (e *env) startLogins(ctx context.Context, c *client, dir string) (string, error) {
	if dir == "" {
		dir = DefaultIssuerDir()
	}
	is, err := startIssuer(dir)
	if err != nil {
		return "", err
	}
	e.issuer, e.loginKey = is, is.host()
	iamc := awsiam.New(awsiam.Options{
		Region: c.region, BaseEndpoint: aws.String(c.endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(c.creds.AccessKeyID, c.creds.SecretAccessKey, ""),
	})
	out, err := iamc.CreateOpenIDConnectProvider(ctx, &awsiam.CreateOpenIDConnectProviderInput{
		Url: aws.String(is.url), ClientIDList: []string{loginAudience}, ThumbprintList: []string{is.thumbprint()},
	})
	if err != nil {
		return "", fmt.Errorf("CreateOpenIDConnectProvider: %w", err)
	}
	return aws.ToString(out.OpenIDConnectProviderArn), nil
}

// seedLogins signs one token per login (valid well past the run) and gives
// each login its identity with a first GetId.
func (e *env) seedLogins(ctx context.Context, c *client, n, conc int, run time.Duration) error {
	if n <= 0 {
		n = 100
	}
	exp := time.Now().Add(run + time.Hour)
	e.tokens = make([]string, n)
	for i := range e.tokens {
		tok, err := e.issuer.token(fmt.Sprintf("bench-user-%d", i), exp)
		if err != nil {
			return err
		}
		e.tokens[i] = tok
	}
	return forEach(ctx, n, conc, func(i int) error {
		_, err := c.call(ctx, "GetId", false, map[string]any{"IdentityPoolId": e.poolID,
			"Logins": map[string]string{e.loginKey: e.tokens[i]}}, nil)
		return err
	})
}

// walkPages pages through the pool's identities, 60 at a time, for up to
// pages pages and keeps a request body for every tenth NextToken (the
// deepest ones last), so list-deep reads pages from all over that range.
func (e *env) walkPages(ctx context.Context, c *client, pages int) error {
	if pages <= 0 {
		pages = 1000
	}
	token := ""
	for p := 0; p < pages; p++ {
		in := map[string]any{"IdentityPoolId": e.poolID, "MaxResults": 60}
		if token != "" {
			in["NextToken"] = token
		}
		var out struct{ NextToken string }
		if _, err := c.call(ctx, "ListIdentities", true, in, &out); err != nil {
			return err
		}
		if out.NextToken == "" {
			break
		}
		token = out.NextToken
		if p%10 == 9 || len(e.bodies.deep) == 0 {
			b, _ := json.Marshal(map[string]any{"IdentityPoolId": e.poolID, "MaxResults": 60, "NextToken": token})
			e.bodies.deep = append(e.bodies.deep, b)
		}
	}
	if len(e.bodies.deep) == 0 {
		return fmt.Errorf("the pool has no second page of identities")
	}
	return nil
}
