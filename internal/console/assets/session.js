// The signed-in account: its keys live in this module's memory only (never
// localStorage, sessionStorage, cookies or the URL), so a reload or a
// closed tab signs out.
import { cognito, idpool, query, ApiError } from "./api.js";

let creds = null;
export const state = { region: "us-east-1", account: "", accessKeyId: "" };

export function signedIn() { return creds !== null; }

export function signIn(accessKeyId, secretAccessKey, region) {
  creds = { accessKeyId, secretAccessKey };
  state.region = region;
  state.accessKeyId = accessKeyId;
}

export function signOut() {
  creds = null;
  state.account = "";
  state.accessKeyId = "";
}

function need() {
  if (!creds) throw new ApiError("SignedOut", "Sign in first.", 0, "");
  return creds;
}

// regionOf is the region a pool or identity id names, else the session's.
export function regionOf(id) {
  const m = /^([a-z]{2}(?:-[a-z]+)+-\d):/.exec(id || "");
  return m ? m[1] : state.region;
}

// cog calls a Cognito Identity operation signed with the session's keys,
// in the region its pool or identity id names.
export function cog(op, input = {}) {
  return cognito(op, input, need(), regionOf(input.IdentityPoolId || input.IdentityId));
}

export function ext(op, input = {}) {
  return idpool(op, input, need(), regionOf(input.IdentityPoolId || input.IdentityId));
}

export function iam(action, params = {}) {
  return query("iam", action, params, need(), state.region);
}

export function sts(action, params = {}) {
  return query("sts", action, params, need(), state.region);
}

// traceCall calls an IdpoolService trace operation; null when this server
// has no traces (the operation is unknown to it).
export async function traceCall(op, input) {
  try {
    return await ext(op, input);
  } catch (e) {
    if (e.type === "UnknownOperationException") return null;
    throw e;
  }
}

export const NO_TRACES = "traces are not available on this server";
