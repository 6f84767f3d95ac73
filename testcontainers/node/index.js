// @idpool/testcontainers: start idpool, a self-hosted Amazon Cognito
// Identity, in a container for a test.
//
//   const idpool = await new IdpoolContainer().start();
//   const pool = await idpool.createPool("app");
//   const client = new CognitoIdentityClient(idpool.clientConfig());
//   ...
//   await idpool.stop();
//
// The image is idpool:dev (make image in the idpool repository), or
// IDPOOL_IMAGE, or the constructor's argument. Without withConfig the server
// runs in development mode: account 000000000000, access key "test", secret "test".
import { createServer } from "node:net";
import { AbstractStartedContainer, GenericContainer, Wait } from "testcontainers";
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export const DEFAULT_IMAGE = "idpool:dev";
export const ACCOUNT_ID = "000000000000";
export const ACCESS_KEY_ID = "test";
export const SECRET_ACCESS_KEY = "test";
export const REGION = "us-east-1";
const PORT = 9350;

// The host port is chosen before the start, so the issuer in the server's
// tokens is the URL the test reaches it at.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export class IdpoolContainer extends GenericContainer {
  constructor(image = process.env.IDPOOL_IMAGE || DEFAULT_IMAGE) {
    super(image);
    this.credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
    this.withWaitStrategy(Wait.forHttp("/healthz", PORT)).withStartupTimeout(60_000);
  }

  // withConfig runs the server with this idpool config file (YAML): then in
  // production mode, with the config's accounts. Pair it with withCredentials.
  withConfig(yaml) {
    return this.#file(yaml, "/etc/idpool/config.yaml", "IDPOOL_CONFIG");
  }

  // withSeed applies this stack file at start (pools at pinned ids, roles, providers).
  withSeed(yaml) {
    return this.#file(yaml, "/etc/idpool/stack.yaml", "IDPOOL_SEED");
  }

  // withStore keeps the state in this PostgreSQL database (a postgres:// URL
  // the container can reach).
  withStore(url) {
    return this.withEnvironment({ IDPOOL_STORE: url });
  }

  // withCredentials sets the access key the helpers sign with.
  withCredentials(accessKeyId, secretAccessKey) {
    this.credentials = { accessKeyId, secretAccessKey };
    return this;
  }

  #file(content, target, env) {
    return this.withCopyContentToContainer([{ content, target, mode: 0o444 }]).withEnvironment({ [env]: target });
  }

  async start() {
    const port = await freePort();
    const issuer = `http://localhost:${port}`;
    this.withExposedPorts({ container: PORT, host: port }).withEnvironment({ IDPOOL_ISSUER: issuer });
    return new StartedIdpoolContainer(await super.start(), issuer, this.credentials);
  }
}

export class StartedIdpoolContainer extends AbstractStartedContainer {
  constructor(started, issuer, credentials) {
    super(started);
    this.issuer = issuer;
    this.credentials = credentials;
  }

  // The base URL of the Cognito Identity, STS and IAM APIs.
  getEndpoint() {
    return `http://${this.getHost()}:${this.getMappedPort(PORT)}`;
  }

  // The iss of the server's OpenID tokens; discovery and keys under /.well-known/.
  getIssuer() {
    return this.issuer;
  }

  // A client config for the AWS SDK for JavaScript v3, with no retries.
  clientConfig() {
    return { endpoint: this.getEndpoint(), region: REGION, credentials: this.credentials, maxAttempts: 1 };
  }

  // createPool creates an identity pool that allows guests and has the
  // developer provider "login.NAME", with the default roles
  // role/NAME-authenticated and role/NAME-unauthenticated, so
  // GetCredentialsForIdentity works at once. input may change the request.
  async createPool(name, input = {}) {
    const client = new CognitoIdentityClient(this.clientConfig());
    const req = { IdentityPoolName: name, AllowUnauthenticatedIdentities: true, DeveloperProviderName: `login.${name}`, ...input };
    const out = await client.send(new CreateIdentityPoolCommand(req));
    const account = await this.#account();
    const pool = {
      id: out.IdentityPoolId,
      authenticatedRoleArn: `arn:aws:iam::${account}:role/${name}-authenticated`,
      unauthenticatedRoleArn: `arn:aws:iam::${account}:role/${name}-unauthenticated`,
    };
    const Roles = { authenticated: pool.authenticatedRoleArn };
    if (req.AllowUnauthenticatedIdentities) Roles.unauthenticated = pool.unauthenticatedRoleArn;
    await client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: pool.id, Roles }));
    return pool;
  }

  async #account() {
    if (this.credentials.accessKeyId === ACCESS_KEY_ID && this.credentials.secretAccessKey === SECRET_ACCESS_KEY) {
      return ACCOUNT_ID;
    }
    const out = await new STSClient(this.clientConfig()).send(new GetCallerIdentityCommand({}));
    return out.Account;
  }
}
