package roles

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

func TestPrincipalTags(t *testing.T) {
	withTags := func(m map[string]storage.PrincipalTagMap) *storage.Pool {
		p := basePool()
		p.PrincipalTags = m
		return p
	}
	many := map[string]string{}
	manyClaims := map[string]any{}
	for i := range 60 {
		many[fmt.Sprintf("k%02d", i)] = fmt.Sprintf("c%02d", i)
		manyClaims[fmt.Sprintf("c%02d", i)] = "v"
	}
	wantMany := map[string]string{}
	for i := range 50 {
		wantMany[fmt.Sprintf("k%02d", i)] = "v"
	}
	tests := []struct {
		name   string
		pool   *storage.Pool
		logins []*identity.VerifiedLogin
		want   map[string]string
	}{
		{name: "no map", pool: basePool(), logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"sub": "u"})}},
		{name: "guest", pool: withTags(map[string]storage.PrincipalTagMap{upProvider: {UseDefaults: true}})},
		{name: "user pool defaults", pool: withTags(map[string]storage.PrincipalTagMap{upProvider: {UseDefaults: true}}),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"aud": "client1", "sub": "u-1", "email": "x"})},
			want:   map[string]string{"client": "client1", "username": "u-1"}},
		{name: "defaults override custom", pool: withTags(map[string]storage.PrincipalTagMap{upProvider: {UseDefaults: true, Tags: map[string]string{"e": "email"}}}),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"aud": "client1", "sub": "u-1", "email": "x"})},
			want:   map[string]string{"client": "client1", "username": "u-1"}},
		{name: "amazon defaults use user_id", pool: withTags(map[string]storage.PrincipalTagMap{"www.amazon.com": {UseDefaults: true}}),
			logins: []*identity.VerifiedLogin{{Provider: "www.amazon.com", Claims: map[string]any{"aud": "app", "user_id": "amzn1.account.X"}}},
			want:   map[string]string{"client": "app", "username": "amzn1.account.X"}},
		{name: "saml defaults", pool: withTags(map[string]storage.PrincipalTagMap{samlARN: {UseDefaults: true}}),
			logins: []*identity.VerifiedLogin{{Provider: samlARN, Claims: map[string]any{samlNameIdentifier: "auth0|1", samlName: "u@example.com"}}},
			want:   map[string]string{"client": "auth0|1", "username": "u@example.com"}},
		{name: "custom map, missing claim skipped, scalars formatted",
			pool: withTags(map[string]storage.PrincipalTagMap{oidcHost: {Tags: map[string]string{
				"dept": "custom:dept", "lvl": "level", "ok": "verified", "none": "absent", "grp": "groups"}}}),
			logins: []*identity.VerifiedLogin{{Provider: oidcHost, Claims: jsonClaims(t,
				`{"custom:dept":"eng","level":7,"verified":false,"groups":["a","b"]}`)}},
			want: map[string]string{"dept": "eng", "lvl": "7", "ok": "false"}},
		{name: "map found by role mapping key", pool: withTags(map[string]storage.PrincipalTagMap{upKey: {Tags: map[string]string{"d": "dept"}}}),
			logins: []*identity.VerifiedLogin{userPoolLogin(map[string]any{"dept": "ops"})},
			want:   map[string]string{"d": "ops"}},
		{name: "developer login has no defaults", pool: withTags(map[string]storage.PrincipalTagMap{DeveloperProvider: {UseDefaults: true}}),
			logins: []*identity.VerifiedLogin{{Provider: DeveloperProvider, Claims: map[string]any{"aud": "p", "sub": "s"}}}},
		{name: "limits: long key and value skipped",
			pool: withTags(map[string]storage.PrincipalTagMap{oidcHost: {Tags: map[string]string{
				strings.Repeat("k", 129): "a", "longval": "b", "okkey": "a", strings.Repeat("x", 128): "a"}}}),
			logins: []*identity.VerifiedLogin{{Provider: oidcHost, Claims: map[string]any{"a": "1", "b": strings.Repeat("v", 257)}}},
			want:   map[string]string{"okkey": "1", strings.Repeat("x", 128): "1"}},
		{name: "limits: 50 tags, lowest keys kept", pool: withTags(map[string]storage.PrincipalTagMap{oidcHost: {Tags: many}}),
			logins: []*identity.VerifiedLogin{{Provider: oidcHost, Claims: manyClaims}}, want: wantMany},
		{name: "first login wins a key", pool: withTags(map[string]storage.PrincipalTagMap{
			oidcHost: {Tags: map[string]string{"who": "sub"}}, upProvider: {Tags: map[string]string{"who": "sub", "d": "dept"}}}),
			logins: []*identity.VerifiedLogin{{Provider: oidcHost, Claims: map[string]any{"sub": "oidc-user"}},
				userPoolLogin(map[string]any{"sub": "pool-user", "dept": "eng"})},
			want: map[string]string{"who": "oidc-user", "d": "eng"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PrincipalTags(tc.pool, tc.logins)
			if !maps.Equal(got, tc.want) {
				t.Fatalf("PrincipalTags = %v, want %v", got, tc.want)
			}
		})
	}
}
