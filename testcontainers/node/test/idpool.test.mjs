// Run with a Docker-compatible engine (DOCKER_HOST) and the image
// (IDPOOL_IMAGE, default idpool:dev): npm test. Driven by idpool's suite
// through test/e2e/container (podman system service).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CognitoIdentityClient,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ACCESS_KEY_ID, IdpoolContainer, REGION, SECRET_ACCESS_KEY } from "../index.js";

test("a guest of createPool's pool gets credentials the container's STS accepts", async () => {
  const idpool = await new IdpoolContainer().start();
  try {
    const pool = await idpool.createPool("app");
    assert.match(pool.id, new RegExp(`^${REGION}:`));
    const client = new CognitoIdentityClient(idpool.clientConfig());
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: pool.id }));
    const { Credentials } = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    const sts = new STSClient({
      ...idpool.clientConfig(),
      credentials: { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretKey, sessionToken: Credentials.SessionToken },
    });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.match(who.Arn, /assumed-role\/app-unauthenticated\//);

    const { Token } = await client.send(new GetOpenIdTokenCommand({ IdentityId }));
    const iss = JSON.parse(Buffer.from(Token.split(".")[1], "base64url").toString()).iss;
    assert.equal(iss, idpool.getIssuer());
    const disc = await (await fetch(`${idpool.getIssuer()}/.well-known/openid-configuration`)).json();
    assert.equal(disc.issuer, idpool.getIssuer());
  } finally {
    await idpool.stop();
  }
});

test("withSeed and withConfig: a pinned pool in the config's account, development keys refused", async () => {
  const pinned = "us-east-1:8f3c2a57-1b4e-4d2a-9c51-0b6f2d7e4a10";
  const key = "AKIATESTTESTTESTTEST";
  const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=";
  const idpool = await new IdpoolContainer()
    .withConfig(`accounts:\n  - id: "123456789012"\n    keys:\n      - accessKeyId: ${key}\n        secretAccessKey: ${secret}\n`)
    .withCredentials(key, secret)
    .withSeed(`Region: us-east-1\nIdentityPools:\n  - IdentityPoolId: ${pinned}\n    IdentityPoolName: seeded\n    AllowUnauthenticatedIdentities: true\n`)
    .start();
  try {
    const client = new CognitoIdentityClient(idpool.clientConfig());
    const got = await client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: pinned }));
    assert.equal(got.IdentityPoolName, "seeded");
    const pool = await idpool.createPool("second");
    assert.match(pool.authenticatedRoleArn, /^arn:aws:iam::123456789012:role\//);
    const dev = new CognitoIdentityClient({ ...idpool.clientConfig(), credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY } });
    await assert.rejects(dev.send(new ListIdentityPoolsCommand({ MaxResults: 10 })), (e) => e.name !== "" && e.$metadata?.httpStatusCode >= 400);
  } finally {
    await idpool.stop();
  }
});
