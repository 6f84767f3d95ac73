package stack

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/idpool/idpool/test/harness"
)

const policyStack = `Region: us-east-1
IdentityPools:
  - IdentityPoolName: readers
    AllowUnauthenticatedIdentities: true
    Roles:
      unauthenticated: arn:aws:iam::000000000000:role/reader
IAM:
  Roles:
    - RoleName: reader
      Description: reads the bucket
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": "us-east-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10"}
      Tags:
        - {Key: team, Value: web}
      Policies:
        - PolicyName: bucket
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::BUCKET/*"}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
`

func inlineDoc(t *testing.T, c *iam.Client, role, name string) string {
	t.Helper()
	out, err := c.GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetRolePolicy %s/%s: %v", role, name, err)
	}
	d, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	return d
}

func attached(t *testing.T, c *iam.Client, role string) []string {
	t.Helper()
	out, err := c.ListAttachedRolePolicies(context.Background(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, p := range out.AttachedPolicies {
		arns = append(arns, aws.ToString(p.PolicyArn))
	}
	return arns
}

// A role's inline and managed policies are applied, compared (a second
// apply is a no-op), updated in place with its description and tags,
// exported, and removed with the role by --prune (IAM refuses DeleteRole
// while they remain).
func TestRolePolicies(t *testing.T) {
	s := harness.Start(t, harness.Options{})
	c := iamClient(s)
	file := write(t, "stack.yaml", strings.ReplaceAll(policyStack, "BUCKET", "photos"))
	mustApply(t, s, "-f", file)
	if d := inlineDoc(t, c, "reader", "bucket"); !strings.Contains(d, "arn:aws:s3:::photos/*") {
		t.Errorf("inline policy: %s", d)
	}
	if a := attached(t, c, "reader"); !slices.Equal(a, []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}) {
		t.Errorf("attached: %v", a)
	}
	if out := mustApply(t, s, "-f", file); !strings.Contains(out, "No changes") {
		t.Errorf("second apply changed something:\n%s", out)
	}

	changed := strings.ReplaceAll(policyStack, "BUCKET", "videos")
	changed = strings.Replace(changed, "reads the bucket", "reads videos", 1)
	changed = strings.Replace(changed, "{Key: team, Value: web}", "{Key: team, Value: media}", 1)
	changed = strings.Replace(changed, "AmazonS3ReadOnlyAccess", "CloudWatchReadOnlyAccess", 1)
	out := mustApply(t, s, "-f", write(t, "changed.yaml", changed))
	if !strings.Contains(out, "update    role") || !strings.Contains(out, "policies") || strings.Contains(out, "replace") {
		t.Errorf("a policy, description and tag change should update the role in place:\n%s", out)
	}
	if d := inlineDoc(t, c, "reader", "bucket"); !strings.Contains(d, "videos") {
		t.Errorf("inline policy after update: %s", d)
	}
	if a := attached(t, c, "reader"); !slices.Equal(a, []string{"arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"}) {
		t.Errorf("attached after update: %v", a)
	}
	role, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(role.Role.Description) != "reads videos" || len(role.Role.Tags) != 1 || aws.ToString(role.Role.Tags[0].Value) != "media" {
		t.Errorf("role after update: %q %+v", aws.ToString(role.Role.Description), role.Role.Tags)
	}

	// export writes the policies of the roles pools name.
	out, errOut, code := harness.Run(t, s.AWSEnv(t), harness.Binary(t), "export", "--endpoint-url", s.URL)
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	if !strings.Contains(out, "PolicyName: bucket") || !strings.Contains(out, "CloudWatchReadOnlyAccess") {
		t.Errorf("export lacks the policies:\n%s", out)
	}

	// --prune with no roles declared deletes the role and its policies.
	out = mustApply(t, s, "-f", write(t, "empty.yaml", "Region: us-east-1\n"), "--prune")
	if !strings.Contains(out, "delete    role") {
		t.Errorf("prune did not delete the role:\n%s", out)
	}
	if _, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("reader")}); err == nil {
		t.Error("the role survived --prune")
	}
}
