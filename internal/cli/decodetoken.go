package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// decodeToken is "idpool decode-token TOKEN [--jwks-url URL | --issuer URL]":
// it prints the JWT's header and claims and verifies its signature, expiry
// and issuer against the issuer's published keys (discovered from --issuer,
// given by --jwks-url, or, failing both, discovered from the token's iss).
// Global options (--output, --query) were already taken out by run: g.
func (r *runner) decodeToken(rest []string, g *globals) error {
	var err error
	var token, jwksURL, issuer string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		name, val, hasEq := strings.Cut(a, "=")
		switch name {
		case "--jwks-url", "--issuer":
			if !hasEq {
				if i+1 >= len(rest) {
					return &usageError{"argument " + name + ": expected one argument"}
				}
				i++
				val = rest[i]
			}
			if name == "--jwks-url" {
				jwksURL = val
			} else {
				issuer = val
			}
		default:
			if token != "" || strings.HasPrefix(a, "--") {
				return &usageError{"Unknown options: " + a}
			}
			token = a
		}
	}
	if token == "" {
		return &usageError{"the following arguments are required: TOKEN"}
	}
	token, err = loadParamFile("TOKEN", strings.TrimSpace(token))
	if err != nil {
		return err
	}
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return &paramError{"Error parsing parameter 'TOKEN': not a JWT (expected three dot-separated parts)"}
	}
	header, err := decodeSegment(parts[0])
	if err != nil {
		return &paramError{"Error parsing parameter 'TOKEN': bad header: " + err.Error()}
	}
	claims, err := decodeSegment(parts[1])
	if err != nil {
		return &paramError{"Error parsing parameter 'TOKEN': bad claims: " + err.Error()}
	}
	out := newObject()
	out.set("Header", header)
	out.set("Claims", claims)

	iss, _ := claims.vals["iss"].(string)
	verifyErr := verifyJWT(context.Background(), token, jwksURL, issuer, iss)
	if verifyErr == nil {
		out.set("Verified", true)
	} else {
		out.set("Verified", false)
		out.set("VerificationError", verifyErr.Error())
	}
	p := &printer{format: outputFormat(g), color: g.color, out: r.stdout}
	if !validChoice(p.format, outputChoices) {
		p.format = "json"
	}
	if g.queryGiven {
		if p.query, err = compileQuery(g.query); err != nil {
			return err
		}
		p.queryText = g.query
	}
	if err := p.print("DecodeToken", &result{single: out}); err != nil {
		return err
	}
	if verifyErr != nil {
		return &fatalError{"Token verification failed: " + verifyErr.Error()}
	}
	return nil
}

func decodeSegment(seg string) (*object, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return o, nil
}

var jwtAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// verifyJWT checks the signature against the JWKS, and the expiry; the
// audience is not checked (a token's audience is the pool, not us).
func verifyJWT(ctx context.Context, token, jwksURL, issuer, tokenIss string) error {
	cfg := &oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: jwtAlgs}
	var v *oidc.IDTokenVerifier
	switch {
	case jwksURL != "":
		cfg.SkipIssuerCheck = issuer == ""
		v = oidc.NewVerifier(issuer, oidc.NewRemoteKeySet(ctx, jwksURL), cfg)
	default:
		if issuer == "" {
			issuer = tokenIss
		}
		if issuer == "" {
			return fmt.Errorf("no --issuer or --jwks-url given and the token has no iss claim")
		}
		prov, err := oidc.NewProvider(ctx, issuer)
		if err != nil {
			return err
		}
		v = prov.Verifier(cfg)
	}
	_, err := v.Verify(ctx, token)
	return err
}
