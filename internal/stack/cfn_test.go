package stack

import (
	"strings"
	"testing"
)

const yamlTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
  Clients: {Type: CommaDelimitedList, Default: "a,b"}
  Bootstrap: {Type: "AWS::SSM::Parameter::Value<String>", Default: /cdk-bootstrap/version}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Mappings:
  Names: {dev: {pool: devpool}, prod: {pool: prodpool}}
Resources:
  Web:
    Type: AWS::Cognito::IdentityPool
    Properties:
      IdentityPoolName: !FindInMap [Names, !Ref Env, pool]
      AllowUnauthenticatedIdentities: "true"
      SupportedLoginProviders:
        accounts.google.com: !Select [1, !Ref Clients]
      OpenIdConnectProviderARNs: [!GetAtt Issuer.Arn]
      IdentityPoolTags:
        - {Key: stack, Value: !Sub "${AWS::StackName}-${Env}"}
        - {Key: region, Value: !Sub ["${R}:${!Literal}", {R: !Ref "AWS::Region"}]}
  ProdOnly:
    Type: AWS::IAM::Role
    Condition: IsProd
    Properties: {AssumeRolePolicyDocument: {}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !If [NotProd, !Join ["-", [app, !Ref Env]], app]
      Path: /svc/
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition: {StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Web}}
      MaxSessionDuration: "7200"
      Description: !If [IsProd, prod, !Ref "AWS::NoValue"]
  Issuer:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: https://login.example.com, ClientIdList: !Split [",", "x,y"]}
  Attach:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Web
      Roles: {authenticated: !GetAtt Role.Arn}
      RoleMappings:
        anyname:
          IdentityProvider: login.example.com
          Type: Token
          AmbiguousRoleResolution: Deny
  Bucket: {Type: "AWS::S3::Bucket"}
Outputs:
  PoolId: {Value: !Ref Web}
  RoleArn: {Value: !GetAtt Role.Arn}
  BucketName: {Value: !Ref Bucket}
  ProdOnly: {Condition: IsProd, Value: x}
`

func parseTemplate(t *testing.T, text string, o TemplateOptions) (*File, *Template) {
	t.Helper()
	if o.Region == "" {
		o.Region, o.AccountID = "eu-west-1", "123456789012"
	}
	f, info, err := ParseTemplate("dir/app.yaml", []byte(text), o)
	if err != nil {
		t.Fatal(err)
	}
	return f, info
}

func TestTemplateIntrinsics(t *testing.T) {
	if !IsTemplate([]byte(yamlTemplate)) || IsTemplate([]byte("Region: us-east-1\nIdentityPools: []\n")) {
		t.Fatal("IsTemplate")
	}
	f, info := parseTemplate(t, yamlTemplate, TemplateOptions{})
	if len(f.IdentityPools) != 1 || len(f.IAM.Roles) != 1 || len(f.IAM.OpenIDConnectProviders) != 1 {
		t.Fatalf("objects: %+v", f)
	}
	p := f.IdentityPools[0]
	if !strings.HasPrefix(p.IdentityPoolId, "eu-west-1:") || p.IdentityPoolName != "devpool" || !p.AllowUnauthenticatedIdentities ||
		p.SupportedLoginProviders["accounts.google.com"] != "b" || p.IdentityPoolTags["stack"] != "app-dev" || p.IdentityPoolTags["region"] != "eu-west-1:${Literal}" {
		t.Errorf("pool: %+v", p)
	}
	if p.OpenIdConnectProviderARNs[0] != "arn:aws:iam::123456789012:oidc-provider/login.example.com" {
		t.Errorf("GetAtt Issuer.Arn: %v", p.OpenIdConnectProviderARNs)
	}
	r := f.IAM.Roles[0]
	if r.RoleName != "app-dev" || r.Path != "/svc/" || r.MaxSessionDuration != 7200 || r.Description != "" ||
		!strings.Contains(string(r.AssumeRolePolicyDocument), `"`+p.IdentityPoolId+`"`) {
		t.Errorf("role: %+v", r)
	}
	if p.Roles["authenticated"] != "arn:aws:iam::123456789012:role/svc/app-dev" || p.RoleMappings["login.example.com"].Type != "Token" {
		t.Errorf("attachment: %v %v", p.Roles, p.RoleMappings)
	}
	if got := strings.Join(info.Skipped, "; "); !strings.Contains(got, "Bucket (AWS::S3::Bucket)") || !strings.Contains(got, "ProdOnly (AWS::IAM::Role): condition IsProd is false") {
		t.Errorf("skipped: %v", info.Skipped)
	}
	outs := map[string]string{}
	for _, o := range info.Outputs {
		outs[o[0]] = o[1]
	}
	if outs["PoolId"] != p.IdentityPoolId || outs["RoleArn"] != p.Roles["authenticated"] || !strings.HasPrefix(outs["BucketName"], "Bucket-") || outs["ProdOnly"] != "" {
		t.Errorf("outputs: %v", outs)
	}

	// The same template gives the same ids; another stack name others.
	again, _ := parseTemplate(t, yamlTemplate, TemplateOptions{})
	other, _ := parseTemplate(t, yamlTemplate, TemplateOptions{StackName: "other", Region: "eu-west-1", AccountID: "123456789012"})
	if again.IdentityPools[0].IdentityPoolId != p.IdentityPoolId || other.IdentityPools[0].IdentityPoolId == p.IdentityPoolId {
		t.Error("pool ids are not stable per stack")
	}
	// Parameters and resource values override.
	prod, _ := parseTemplate(t, yamlTemplate, TemplateOptions{Region: "eu-west-1", AccountID: "123456789012", Parameters: map[string]string{"Env": "prod"},
		ResourceValues: map[string]string{"Issuer.Arn": "arn:aws:iam::123456789012:oidc-provider/given"}})
	if prod.IdentityPools[0].IdentityPoolName != "prodpool" || prod.IAM.Roles[1].RoleName != "app" || len(prod.IAM.Roles) != 2 ||
		prod.IdentityPools[0].OpenIdConnectProviderARNs[0] != "arn:aws:iam::123456789012:oidc-provider/given" {
		t.Errorf("prod: %+v", prod)
	}
}

func TestTemplateErrors(t *testing.T) {
	base := "Resources:\n  P:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n      IdentityPoolName: p\n      AllowUnauthenticatedIdentities: true\n"
	cases := []struct{ name, text, want string }{
		{"unresolvable Ref", base + "      DeveloperProviderName: !Ref Nope\n", "Ref Nope: no such parameter or resource"},
		{"unknown property", base + "      Colour: blue\n", `unknown field "Colour"`},
		{"no default", "Parameters:\n  X: {Type: String}\n" + base, "parameter X has no Default: pass --parameter X=VALUE"},
		{"SSM parameter used", "Parameters:\n  X: {Type: \"AWS::SSM::Parameter::Value<String>\", Default: /x}\n" + base + "      DeveloperProviderName: !Ref X\n", "read from SSM"},
		{"transform", "Transform: AWS::Serverless-2016-10-31\n" + base, "Transform"},
		{"unsupported function", base + "      DeveloperProviderName: !ImportValue shared\n", "Fn::ImportValue is not supported"},
		{"bad pool name", strings.Replace(base, "IdentityPoolName: p", "IdentityPoolName: \"bad/name\"", 1), "IdentityPoolName"},
		{"attachment of another pool", base + "  A:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties: {IdentityPoolId: \"us-east-1:00000000-0000-4000-8000-000000000000\"}\n", "is not an identity pool of this template"},
		{"self reference", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !GetAtt R.Arn\n      AssumeRolePolicyDocument: {}\n", "refers to itself"},
	}
	for _, c := range cases {
		_, _, err := ParseTemplate("t.yaml", []byte(c.text), TemplateOptions{Region: "us-east-1", AccountID: "123456789012"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
