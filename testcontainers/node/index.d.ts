import { AbstractStartedContainer, GenericContainer, StartedTestContainer } from "testcontainers";
import type { CreateIdentityPoolCommandInput } from "@aws-sdk/client-cognito-identity";

export declare const DEFAULT_IMAGE: string;
export declare const ACCOUNT_ID: string;
export declare const ACCESS_KEY_ID: string;
export declare const SECRET_ACCESS_KEY: string;
export declare const REGION: string;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Pool {
  id: string;
  authenticatedRoleArn: string;
  unauthenticatedRoleArn: string;
}

export declare class IdpoolContainer extends GenericContainer {
  constructor(image?: string);
  withConfig(yaml: string): this;
  withSeed(yaml: string): this;
  withStore(url: string): this;
  withCredentials(accessKeyId: string, secretAccessKey: string): this;
  start(): Promise<StartedIdpoolContainer>;
}

export declare class StartedIdpoolContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer, issuer: string, credentials: Credentials);
  readonly credentials: Credentials;
  getEndpoint(): string;
  getIssuer(): string;
  clientConfig(): { endpoint: string; region: string; credentials: Credentials; maxAttempts: number };
  createPool(name: string, input?: Partial<CreateIdentityPoolCommandInput>): Promise<Pool>;
}
