// A loop of signed STS GetCallerIdentity calls with fromCognitoIdentityPool
// credentials for SECONDS seconds; prints the calls, errors and distinct
// access keys: node cognito-refresh.mjs ENDPOINT POOL SECONDS. Run by
// test/e2e/faults with credentials set to expire within seconds.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";

const [endpoint, pool, seconds] = process.argv.slice(2);
const credentials = fromCognitoIdentityPool({ identityPoolId: pool, clientConfig: { region: "us-east-1", endpoint } });
const sts = new STSClient({ region: "us-east-1", endpoint, credentials });
const keys = new Set();
let calls = 0;
const errors = [];
const end = Date.now() + Number(seconds) * 1000;
while (Date.now() < end) {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Arn.includes(":assumed-role/")) throw new Error("not a vended session: " + out.Arn);
    const creds = await credentials();
    keys.add(creds.accessKeyId);
    calls++;
  } catch (e) {
    errors.push(String(e));
  }
  await new Promise((r) => setTimeout(r, 200));
}
console.log(JSON.stringify({ Calls: calls, Errors: errors, Keys: keys.size }));
