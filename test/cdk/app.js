// A CDK app as teams write one for an identity pool: a user pool and its
// client, an identity pool naming them, roles with Cognito trust policies,
// and a role attachment whose Rules mapping picks the admin role for a
// claim. `CDK_OUTDIR=dir node app.js` synthesizes it offline (what `cdk
// synth` runs), writing dir/IdpoolDemo.template.json.
const cdk = require("aws-cdk-lib");
const cognito = require("aws-cdk-lib/aws-cognito");
const iam = require("aws-cdk-lib/aws-iam");

const app = new cdk.App();
const stack = new cdk.Stack(app, "IdpoolDemo");

const users = new cognito.UserPool(stack, "Users", {
  customAttributes: { team: new cognito.StringAttribute({ mutable: true }) },
});
const client = users.addClient("WebClient");

const pool = new cognito.CfnIdentityPool(stack, "Pool", {
  identityPoolName: "demo",
  allowUnauthenticatedIdentities: true,
  cognitoIdentityProviders: [{ clientId: client.userPoolClientId, providerName: users.userPoolProviderName }],
});

const trust = (amr) =>
  new iam.FederatedPrincipal(
    "cognito-identity.amazonaws.com",
    {
      StringEquals: { "cognito-identity.amazonaws.com:aud": pool.ref },
      "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": amr },
    },
    "sts:AssumeRoleWithWebIdentity",
  );
const readS3 = new iam.PolicyDocument({
  statements: [new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::demo-bucket/*"] })],
});
const authRole = new iam.Role(stack, "AuthRole", { assumedBy: trust("authenticated"), inlinePolicies: { read: readS3 } });
const guestRole = new iam.Role(stack, "GuestRole", { assumedBy: trust("unauthenticated") });
const adminRole = new iam.Role(stack, "AdminRole", {
  assumedBy: trust("authenticated"),
  managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("AmazonS3FullAccess")],
});

new cognito.CfnIdentityPoolRoleAttachment(stack, "RoleAttachment", {
  identityPoolId: pool.ref,
  roles: { authenticated: authRole.roleArn, unauthenticated: guestRole.roleArn },
  roleMappings: {
    users: {
      type: "Rules",
      identityProvider: cdk.Fn.join(":", [users.userPoolProviderName, client.userPoolClientId]),
      ambiguousRoleResolution: "AuthenticatedRole",
      rulesConfiguration: {
        rules: [{ claim: "custom:team", matchType: "Equals", value: "admins", roleArn: adminRole.roleArn }],
      },
    },
  },
});

new cdk.CfnOutput(stack, "IdentityPoolId", { value: pool.ref });
new cdk.CfnOutput(stack, "UserPoolProviderName", { value: users.userPoolProviderName });
new cdk.CfnOutput(stack, "UserPoolClientId", { value: client.userPoolClientId });
new cdk.CfnOutput(stack, "AdminRoleArn", { value: adminRole.roleArn });
app.synth();
