// One GetId with the AWS SDK for JavaScript v3's default (standard) retry
// strategy; prints the attempts it took: node faults-retry.mjs ENDPOINT POOL.
// Run by test/e2e/faults, which injects TooManyRequestsException first.
import { CognitoIdentityClient, GetIdCommand } from "@aws-sdk/client-cognito-identity";

const [endpoint, pool] = process.argv.slice(2);
const client = new CognitoIdentityClient({ region: "us-east-1", endpoint });
const out = await client.send(new GetIdCommand({ IdentityPoolId: pool }));
console.log(JSON.stringify({ IdentityId: out.IdentityId, Attempts: out.$metadata.attempts }));
