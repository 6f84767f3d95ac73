// node signin.mjs ENDPOINT POOL_ID PROVIDER TOKEN: the unmodified AWS SDK
// for JavaScript signs in to the identity pool with the login and prints
// the STS caller ARN of the credentials it got.
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const [endpoint, poolId, provider, token] = process.argv.slice(2);
const region = poolId.split(":")[0];
const ci = new CognitoIdentityClient({ endpoint, region, maxAttempts: 1 });
const Logins = { [provider]: token };
const { IdentityId } = await ci.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }));
const { Credentials } = await ci.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
const sts = new STSClient({
  endpoint, region, maxAttempts: 1,
  credentials: { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretKey, sessionToken: Credentials.SessionToken },
});
const who = await sts.send(new GetCallerIdentityCommand({}));
console.log(who.Arn);
