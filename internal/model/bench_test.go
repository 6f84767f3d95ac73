package model

import "testing"

func benchValidate(b *testing.B, op, body string) {
	m := mustLoad(b)
	data := []byte(body)
	if err := m.Validate(op, data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if m.Validate(op, data) != nil {
			b.Fatal("refused")
		}
	}
}

// A typical unsigned GetId from Amplify: a pool and one user-pool login.
func BenchmarkValidateGetId(b *testing.B) {
	benchValidate(b, "GetId", `{"IdentityPoolId":"`+pool+`","Logins":{"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI":"eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiYXVkIjoiY2xpZW50IiwidG9rZW5fdXNlIjoiaWQifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"}}`)
}

// A CreateIdentityPool as the aws CLI sends it, with providers and tags.
func BenchmarkValidateCreateIdentityPool(b *testing.B) {
	benchValidate(b, "CreateIdentityPool", `{"IdentityPoolName":"my pool","AllowUnauthenticatedIdentities":true,"AllowClassicFlow":false,`+
		`"SupportedLoginProviders":{"graph.facebook.com":"7346241598935552","accounts.google.com":"123456789012.apps.googleusercontent.com"},`+
		`"DeveloperProviderName":"login.mycompany.myapp",`+
		`"OpenIdConnectProviderARNs":["arn:aws:iam::000000000000:oidc-provider/example.com"],`+
		`"CognitoIdentityProviders":[{"ProviderName":"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI","ClientId":"abcdefghijklmnopqrstuvwxyz","ServerSideTokenCheck":false}],`+
		`"SamlProviderARNs":["arn:aws:iam::000000000000:saml-provider/corp"],"IdentityPoolTags":{"team":"identity","env":"dev"}}`)
}

// The signed request the throughput target is stated for.
func BenchmarkValidateDescribeIdentityPool(b *testing.B) {
	benchValidate(b, "DescribeIdentityPool", `{"IdentityPoolId":"`+pool+`"}`)
}
