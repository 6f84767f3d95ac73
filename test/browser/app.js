// Runs inside headless Chromium, served from an origin other than idpool's, so
// every call is a real cross-origin browser request (CORS preflights included).
// The unmodified AWS SDK for JavaScript v3 and Amplify v6 talk to idpool with
// only their endpoint changed.
import {
  CognitoIdentityClient,
  GetIdCommand,
  GetCredentialsForIdentityCommand,
  GetOpenIdTokenCommand,
} from "@aws-sdk/client-cognito-identity";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { Amplify } from "aws-amplify";
import { fetchAuthSession } from "aws-amplify/auth";

const params = new URLSearchParams(location.search);
const endpoint = params.get("endpoint");
const poolId = params.get("pool");
const region = poolId.split(":")[0];

function errorOf(e) {
  return { name: e.name, message: e.message };
}

async function step(results, name, fn) {
  try {
    results[name] = { ok: true, value: await fn() };
  } catch (e) {
    results[name] = { ok: false, error: errorOf(e) };
  }
}

async function main() {
  const results = {};
  const client = new CognitoIdentityClient({ region, endpoint });

  let identityId;
  await step(results, "sdkGetId", async () => {
    const out = await client.send(new GetIdCommand({ IdentityPoolId: poolId }));
    identityId = out.IdentityId;
    return { IdentityId: out.IdentityId };
  });
  await step(results, "sdkGetCredentials", async () => {
    const out = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId }));
    const c = out.Credentials;
    return {
      IdentityId: out.IdentityId,
      AccessKeyId: c.AccessKeyId,
      HasSecret: !!c.SecretKey,
      HasSessionToken: !!c.SessionToken,
      Expiration: c.Expiration.toISOString(),
    };
  });
  await step(results, "sdkGetOpenIdToken", async () => {
    const out = await client.send(new GetOpenIdTokenCommand({ IdentityId: identityId }));
    return { IdentityId: out.IdentityId, Token: out.Token };
  });
  await step(results, "sdkUnknownPool", async () => {
    await client.send(new GetIdCommand({ IdentityPoolId: region + ":00000000-0000-0000-0000-000000000000" }));
    return "unexpectedly succeeded";
  });
  await step(results, "providerCallerIdentity", async () => {
    const credentials = fromCognitoIdentityPool({
      identityPoolId: poolId,
      client: new CognitoIdentityClient({ region, endpoint }),
    });
    const sts = new STSClient({ region, endpoint, credentials });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { Arn: out.Arn, Account: out.Account, UserId: out.UserId };
  });
  await step(results, "amplifyGuestSession", async () => {
    Amplify.configure({
      Auth: {
        Cognito: {
          identityPoolId: poolId,
          allowGuestAccess: true,
          identityPoolEndpoint: endpoint,
        },
      },
    });
    const session = await fetchAuthSession();
    return {
      identityId: session.identityId,
      accessKeyId: session.credentials?.accessKeyId,
      hasSecret: !!session.credentials?.secretAccessKey,
      hasSessionToken: !!session.credentials?.sessionToken,
    };
  });
  window.__results = results;
}

main().catch((e) => {
  window.__results = { fatal: errorOf(e) };
});
