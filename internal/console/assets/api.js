// Calls to the AWS wire of the server that served the console (same
// origin: no CORS). Cognito Identity and idpool's IdpoolService speak JSON
// 1.1 signed for cognito-identity; IAM and STS speak Query, signed for iam
// and sts. Every call reports itself to the progress listeners.
import { sign } from "./sigv4.js";

export class ApiError extends Error {
  constructor(type, message, status, requestId) {
    super(message || type);
    this.type = type;
    this.status = status;
    this.requestId = requestId;
  }
}

const listeners = new Set();
export function onProgress(fn) { listeners.add(fn); }
let seq = 0;
function report(ev) { for (const fn of listeners) fn(ev); }

async function send(label, headers, body, creds, region, service) {
  const id = ++seq;
  report({ id, label, state: "start" });
  try {
    const h = creds ? await sign({ method: "POST", host: location.host, path: "/", headers, body }, creds, region, service) : {};
    const resp = await fetch("/", { method: "POST", headers: { ...headers, ...h }, body, credentials: "omit", cache: "no-store" });
    const text = await resp.text();
    return { resp, text, requestId: resp.headers.get("x-amzn-RequestId") || "" };
  } finally {
    report({ id, label, state: "end" });
  }
}

function jsonError(resp, text, requestId) {
  let type = resp.headers.get("x-amzn-ErrorType") || "";
  let message = "";
  try {
    const e = JSON.parse(text);
    type = e.__type || e.code || type;
    message = e.message || e.Message || "";
  } catch { message = text.slice(0, 300); }
  type = type.split(":")[0];
  if (type.includes("#")) type = type.slice(type.indexOf("#") + 1);
  return new ApiError(type || "HTTP " + resp.status, message, resp.status, requestId);
}

// json calls a JSON 1.1 target; creds null sends it unsigned (GetId,
// GetOpenIdToken, GetCredentialsForIdentity, as apps call them).
// It resolves to {data, requestId} or rejects with an ApiError.
export async function json(target, input, creds, region) {
  const body = JSON.stringify(input || {});
  const headers = { "content-type": "application/x-amz-json-1.1", "x-amz-target": target };
  const op = target.slice(target.indexOf(".") + 1);
  const { resp, text, requestId } = await send(op, headers, body, creds, region, "cognito-identity");
  if (!resp.ok) throw jsonError(resp, text, requestId);
  return { data: text ? JSON.parse(text) : {}, requestId };
}

export const cognito = (op, input, creds, region) => json("AWSCognitoIdentityService." + op, input, creds, region);
export const idpool = (op, input, creds, region) => json("IdpoolService." + op, input, creds, region);

// xmlValue turns an element into plain data: text for a leaf, an array
// for a list of <member>s, an object otherwise.
function xmlValue(el) {
  const kids = Array.from(el.children);
  if (kids.length === 0) return el.textContent;
  if (kids.every((k) => k.localName === "member")) return kids.map(xmlValue);
  const o = {};
  for (const k of kids) o[k.localName] = xmlValue(k);
  return o;
}

// query calls a Query action (IAM, STS) and resolves to {data, requestId}
// where data is the <ActionResult> element's content.
export async function query(service, action, params, creds, region) {
  const version = service === "iam" ? "2010-05-08" : "2011-06-15";
  const form = new URLSearchParams({ Action: action, Version: version, ...params });
  const body = form.toString();
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const { resp, text, requestId } = await send(action, headers, body, creds, region, service);
  const doc = new DOMParser().parseFromString(text, "application/xml");
  const rid = requestId || doc.querySelector("RequestId")?.textContent || "";
  if (!resp.ok) {
    const err = doc.querySelector("Error");
    throw new ApiError(err?.querySelector("Code")?.textContent || "HTTP " + resp.status,
      err?.querySelector("Message")?.textContent || text.slice(0, 300), resp.status, rid);
  }
  const result = doc.getElementsByTagName(action + "Result")[0];
  return { data: result ? xmlValue(result) : {}, requestId: rid };
}
