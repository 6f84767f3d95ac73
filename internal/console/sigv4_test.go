package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/idpool/idpool/test/harness"
)

// signerCase is one request for both signers.
type signerCase struct {
	Method  string            `json:"method"`
	Host    string            `json:"host"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Creds   struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		SessionToken    string `json:"sessionToken,omitempty"`
	} `json:"creds"`
	Region  string `json:"region"`
	Service string `json:"service"`
	Time    string `json:"time"`
}

// runner imports assets/sigv4.js in node and signs each case read from stdin.
const runner = `import { sign } from "./sigv4.mjs";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const c of JSON.parse(input)) out.push(await sign(c, c.creds, c.region, c.service, new Date(c.time)));
process.stdout.write(JSON.stringify(out));
`

// TestSignerMatchesTheSDK signs the same requests with the console's
// WebCrypto signer (in node, whose crypto.subtle is WebCrypto) and with the
// AWS SDK for Go's, and wants the same Authorization header.
func TestSignerMatchesTheSDK(t *testing.T) {
	src, err := assets.ReadFile("assets/sigv4.js")
	if err != nil {
		t.Fatal(err)
	}

	mk := func(method, path, query, body, service string, headers map[string]string, token string) signerCase {
		c := signerCase{Method: method, Host: "127.0.0.1:9350", Path: path, Query: query, Headers: headers, Body: body,
			Region: "eu-west-1", Service: service, Time: "2026-12-07T03:04:05Z"}
		c.Creds.AccessKeyID, c.Creds.SecretAccessKey, c.Creds.SessionToken = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token
		return c
	}
	cases := []signerCase{
		mk("POST", "/", "", `{"MaxResults":1}`, "cognito-identity",
			map[string]string{"content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSCognitoIdentityService.ListIdentityPools"}, ""),
		mk("POST", "/", "", "Action=ListRoles&Version=2010-05-08&MaxItems=20&Marker=a%2Bb%3D%3D", "iam",
			map[string]string{"content-type": "application/x-www-form-urlencoded"}, ""),
		mk("POST", "/", "", "Action=GetCallerIdentity&Version=2011-06-15", "sts",
			map[string]string{"content-type": "application/x-www-form-urlencoded"}, "FQoGZXIvYXdzE//session+token=="),
		mk("POST", "/", "", `{"Name":"ünïcødé \u2713"}`, "cognito-identity",
			map[string]string{"content-type": "application/x-amz-json-1.1", "x-amz-target": "IdpoolService.GetTrace"}, ""),
		mk("GET", "/a b/c~d", "b=2&a=1&c=x y&d=%2F*", "", "sts", map[string]string{"x-extra": "  two   spaces  "}, ""),
	}
	var got []map[string]string
	harness.NodeScript(t, map[string][]byte{"sigv4.mjs": src}, runner, cases, &got)
	if len(got) != len(cases) {
		t.Fatalf("%d answers for %d cases", len(got), len(cases))
	}

	for i, c := range cases {
		u := "http://" + c.Host + c.Path
		if c.Query != "" {
			u += "?" + c.Query
		}
		req, err := http.NewRequest(c.Method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range c.Headers {
			req.Header.Set(k, v)
		}
		sum := sha256.Sum256([]byte(c.Body))
		at, _ := time.Parse(time.RFC3339, c.Time)
		creds := aws.Credentials{AccessKeyID: c.Creds.AccessKeyID, SecretAccessKey: c.Creds.SecretAccessKey, SessionToken: c.Creds.SessionToken}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), c.Service, c.Region, at); err != nil {
			t.Fatal(err)
		}
		if want := req.Header.Get("Authorization"); got[i]["authorization"] != want {
			t.Errorf("case %d (%s %s %s):\n console %s\n SDK     %s", i, c.Service, c.Method, c.Path, got[i]["authorization"], want)
		}
		if got[i]["x-amz-date"] != req.Header.Get("X-Amz-Date") || got[i]["x-amz-security-token"] != req.Header.Get("X-Amz-Security-Token") {
			t.Errorf("case %d: headers %v, SDK %v", i, got[i], req.Header)
		}
	}
}
