package bench

import (
	"context"
	"fmt"
	"sort"
)

// env is what the operations share: the pool under load and seeded identities.
type env struct {
	poolID     string
	identities []string
}

type operation func(ctx context.Context, c *client, e *env, worker, i int) (string, error)

// operations are the hot paths of an identity pool, by their --mix names.
var operations = map[string]operation{
	// GetId creating a guest identity (a durable write per request).
	"getid-new": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "GetId", false, map[string]any{"IdentityPoolId": e.poolID}, nil)
	},
	// GetOpenIdToken for an existing guest identity (an RS512 signature per request).
	"openid": func(ctx context.Context, c *client, e *env, w, i int) (string, error) {
		return c.call(ctx, "GetOpenIdToken", false, map[string]any{"IdentityId": e.pick(w, i)}, nil)
	},
	// GetCredentialsForIdentity for an existing guest identity.
	"creds": func(ctx context.Context, c *client, e *env, w, i int) (string, error) {
		return c.call(ctx, "GetCredentialsForIdentity", false, map[string]any{"IdentityId": e.pick(w, i)}, nil)
	},
	// DescribeIdentityPool, SigV4-signed.
	"describe": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "DescribeIdentityPool", true, map[string]any{"IdentityPoolId": e.poolID}, nil)
	},
	// ListIdentities, first page of 60, SigV4-signed.
	"list": func(ctx context.Context, c *client, e *env, _, _ int) (string, error) {
		return c.call(ctx, "ListIdentities", true, map[string]any{"IdentityPoolId": e.poolID, "MaxResults": 60}, nil)
	},
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

func (e *env) pick(w, i int) string {
	return e.identities[(w*7919+i)%len(e.identities)]
}

// needsIdentities reports whether the mix uses seeded identities.
func needsIdentities(mix map[string]int) bool {
	return mix["openid"] > 0 || mix["creds"] > 0
}

// prepare creates (or reuses) the pool and seeds identities.
func prepare(ctx context.Context, c *client, cfg Config) (*env, error) {
	e := &env{poolID: cfg.PoolID}
	if e.poolID == "" {
		var out struct{ IdentityPoolId string }
		if _, err := c.call(ctx, "CreateIdentityPool", true, map[string]any{
			"IdentityPoolName":               "idpool-bench",
			"AllowUnauthenticatedIdentities": true,
		}, &out); err != nil {
			return nil, err
		}
		e.poolID = out.IdentityPoolId
		// Development servers trust any role ARN; a real deployment passes --pool
		// with roles already set.
		if _, err := c.call(ctx, "SetIdentityPoolRoles", true, map[string]any{
			"IdentityPoolId": e.poolID,
			"Roles":          map[string]string{"unauthenticated": "arn:aws:iam::000000000000:role/idpool-bench-guest"},
		}, nil); err != nil {
			return nil, err
		}
	}
	if needsIdentities(cfg.Mix) {
		n := cfg.Seed
		if n <= 0 {
			n = 100
		}
		ids, err := fill(ctx, c, e.poolID, n, cfg.Concurrency)
		if err != nil {
			return nil, err
		}
		e.identities = ids
	}
	return e, nil
}

// fill creates n guest identities with the given concurrency and returns their ids.
func fill(ctx context.Context, c *client, poolID string, n, conc int) ([]string, error) {
	if conc < 1 {
		conc = 1
	}
	ids := make([]string, n)
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
				var out struct{ IdentityId string }
				if _, err := c.call(ctx, "GetId", false, map[string]any{"IdentityPoolId": poolID}, &out); err != nil {
					errs <- fmt.Errorf("identity %d: %w", i, err)
					for range next {
					}
					return
				}
				ids[i] = out.IdentityId
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
	return ids, first
}
