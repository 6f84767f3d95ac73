// A small AWS Signature Version 4 signer on WebCrypto (SubtleCrypto's
// HMAC-SHA256 and SHA-256). It signs what the console sends: POSTs to "/"
// of its own origin with a JSON or form body. The secret never leaves this
// module except as a derived HMAC key; it is never stored.
const enc = new TextEncoder();

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data) {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? enc.encode(data) : data));
}

async function hmac(key, data) {
  const k = await crypto.subtle.importKey("raw", typeof key === "string" ? enc.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

// amzDate formats a time as SigV4's basic ISO 8601 (20261207T031500Z).
export function amzDate(d) {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

// encodeURIComponent plus the characters RFC 3986 reserves that it leaves.
export function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function canonicalQuery(query) {
  if (!query) return "";
  return query.split("&").filter(Boolean).map((kv) => {
    const i = kv.indexOf("=");
    const k = decodeURIComponent((i < 0 ? kv : kv.slice(0, i)).replace(/\+/g, " "));
    const v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
    return [uriEncode(k), uriEncode(v)];
  }).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => k + "=" + v).join("&");
}

// sign returns the headers to send: the given ones plus X-Amz-Date,
// X-Amz-Security-Token (session credentials) and Authorization.
// req = {method, host, path, query, headers: {name: value}, body: string}
// creds = {accessKeyId, secretAccessKey, sessionToken?}
export async function sign(req, creds, region, service, now = new Date()) {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers = {};
  for (const [k, v] of Object.entries(req.headers || {})) headers[k.toLowerCase()] = String(v).trim().replace(/\s+/g, " ");
  headers["host"] = req.host;
  headers["x-amz-date"] = date;
  if (creds.sessionToken) headers["x-amz-security-token"] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const payloadHash = await sha256Hex(req.body || "");
  const canonical = [
    req.method || "POST",
    // As sent, each segment is URI-encoded once; every service but S3
    // signs it encoded a second time.
    (req.path || "/").split("/").map((s) => uriEncode(uriEncode(decodeURIComponent(s)))).join("/"),
    canonicalQuery(req.query || ""),
    names.map((n) => n + ":" + headers[n] + "\n").join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac("AWS4" + creds.secretAccessKey, day);
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, "aws4_request");
  const signature = hex(await hmac(key, toSign));
  const out = {};
  for (const n of names) if (n !== "host") out[n] = headers[n];
  out["authorization"] = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return out;
}
