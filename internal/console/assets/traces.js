// The "why" views: recent requests and their decision traces, a dry-run
// explanation, the try-a-login panel and the token decoder.
import { h, clear, field, errorBox, busyButton, table, pager, facts, MARK } from "./dom.js";
import { cognito, query } from "./api.js";
import { cog, state, regionOf, traceCall, NO_TRACES } from "./session.js";
import { fetchJWKS } from "./iam.js";

const OPERATIONS = ["", "GetId", "GetOpenIdToken", "GetOpenIdTokenForDeveloperIdentity", "GetCredentialsForIdentity", "UnlinkIdentity", "AssumeRoleWithWebIdentity"];
const outcomeText = (o) => (o === "ok" ? MARK.ok + " ok" : o === "refused" ? MARK.refused + " refused" : MARK.error + " " + (o || "?"));
const noTraces = () => h("p", { class: "warn trace-unavailable" }, MARK.info + " " + NO_TRACES + " (IdpoolService trace operations are unknown to it).");

export function requestsPage(params) {
  const op = h("select", { id: "rq-op" }, OPERATIONS.map((o) => h("option", { value: o, selected: o === (params.get("operation") || "") }, o || "any operation")));
  const ident = field("Identity id", { value: params.get("identity") || "" });
  const pool = field("Identity pool id", { value: params.get("pool") || "" });
  const results = h("div", { id: "requests" });
  function load() {
    const filter = {};
    if (op.value) filter.Operation = op.value;
    if (ident.input.value.trim()) filter.IdentityId = ident.input.value.trim();
    if (pool.input.value.trim()) filter.IdentityPoolId = pool.input.value.trim();
    clear(results, pager(async (token) => {
      const r = await traceCall("ListTraces", { ...filter, MaxResults: 25, NextToken: token });
      if (r === null) return { rows: null };
      return { rows: r.data.Traces || [], next: r.data.NextToken };
    }, (rows) => (rows === null ? noTraces() : table([
      { title: "Time", cell: (t) => t.Time },
      { title: "Operation", cell: (t) => t.Operation },
      { title: "Outcome", cell: (t) => h("span", { class: "marker" }, outcomeText(t.Outcome), t.ErrorType ? " " + t.ErrorType : "") },
      { title: "Pool / identity", mono: true, cell: (t) => [t.IdentityPoolId || "", t.IdentityId ? h("div", {}, t.IdentityId) : null] },
      { title: "Request id", mono: true, cell: (t) => h("a", { href: "#/trace/" + encodeURIComponent(t.RequestId) }, t.RequestId) },
    ], rows, (t) => (t.Outcome === "ok" ? null : "fail")))));
  }
  const filterForm = h("form", { class: "grid2", on: { submit: (e) => { e.preventDefault(); load(); } } },
    h("div", {}, h("label", { for: "rq-op" }, "Operation"), op), ident.el, pool.el,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Show requests")));
  load();
  return h("section", {}, h("h1", {}, "Recent requests"),
    h("p", { class: "hint" }, "Decision traces the server kept for this account (ListTraces), newest first."), filterForm, results);
}

// traceView renders a trace: its summary, and its steps with the first
// failing one, the cause, marked in text and highlighted.
export function traceView(t, compact) {
  const steps = t.Steps || [];
  const cause = steps.findIndex((s) => s.Result === "fail");
  const causeBox = cause >= 0
    ? h("p", { class: "bad cause-summary", role: "note" }, h("span", { class: "marker" }, MARK.fail + " Cause: "),
      `step ${cause + 1}, ${steps[cause].Phase} / ${steps[cause].Check}: `, steps[cause].Detail || "")
    : t.Outcome === "ok" ? h("p", { class: "ok" }, MARK.ok + " Every check passed.") : null;
  return h("div", { class: "trace" },
    compact ? null : facts({ "Request id": t.RequestId, Operation: t.Operation, Time: t.Time, Pool: t.IdentityPoolId || "", Identity: t.IdentityId || "" }),
    h("p", {}, h("span", { class: "marker" }, outcomeText(t.Outcome)), t.ErrorType ? [" ", h("strong", {}, t.ErrorType)] : "", t.ErrorMessage ? ": " + t.ErrorMessage : ""),
    causeBox,
    table([
      { title: "Step", cell: (s) => String(steps.indexOf(s) + 1) },
      { title: "Result", cell: (s) => h("span", { class: "marker" }, (MARK[s.Result] || "?") + " " + s.Result, steps.indexOf(s) === cause ? h("span", {}, " " + MARK.cause) : "") },
      { title: "Phase", cell: (s) => s.Phase },
      { title: "Check", cell: (s) => s.Check },
      { title: "Detail", cell: (s) => s.Detail || "" },
      { title: "Facts", cell: (s) => facts(s.Facts) },
    ], steps, (s) => (steps.indexOf(s) === cause ? "cause fail" : s.Result === "fail" ? "fail" : null)));
}

// traceOf fetches and renders the trace of a request id into el.
async function traceOf(rid, el, compact) {
  if (!rid) { clear(el, h("p", { class: "note" }, "No request id, so no trace.")); return; }
  clear(el, h("p", { class: "note" }, "⏳ Loading the trace of ", h("span", { class: "mono" }, rid), "…"));
  try {
    const r = await traceCall("GetTrace", { RequestId: rid });
    if (r === null) clear(el, noTraces());
    else clear(el, traceView(r.data.Trace, compact), compact ? h("p", {}, h("a", { href: "#/trace/" + encodeURIComponent(rid) }, "Open the full trace")) : null);
  } catch (e) { clear(el, errorBox(e, "GetTrace")); }
}

export function tracePage(rid) {
  const body = h("div", { id: "trace" });
  traceOf(rid, body, false).then(() => body.querySelector("tr.cause")?.scrollIntoView({ block: "center" }));
  return h("section", {}, h("h1", {}, "Why: request ", h("span", { class: "mono" }, rid)), body);
}

// Try a login: the calls an app makes, each with its request id and trace.
export function tryPage(params) {
  const pool = field("Identity pool id", { value: params.get("pool") || "", name: "pool", list: "try-pools" });
  const pools = h("datalist", { id: "try-pools" });
  cog("ListIdentityPools", { MaxResults: 60 }).then(({ data }) => clear(pools, (data.IdentityPools || []).map((p) => h("option", { value: p.IdentityPoolId }, p.IdentityPoolName)))).catch(() => {});
  const kind = params.get("developer") ? "developer" : params.get("provider") ? "token" : "guest";
  const radios = ["guest", "developer", "token"].map((k) => h("label", { class: "inline" },
    h("input", { type: "radio", name: "try-kind", value: k, checked: k === kind, on: { change: show } }),
    { guest: "A guest", developer: "A developer user", token: "A pasted token" }[k]));
  const dev = field("Developer user identifier", { value: params.get("developer") || "", name: "developer", hint: "Logged in through the pool's developer provider with GetOpenIdTokenForDeveloperIdentity (signed with your keys)." });
  const provider = field("Provider (Logins key)", { value: params.get("provider") || "", name: "provider", placeholder: "accounts.google.com" });
  const token = field("Token", { textarea: true, name: "token", hint: "An ID token (or SAML response) from that provider. It is sent only to this server, as an app would send it." });
  const custom = field("CustomRoleArn (optional)", { name: "CustomRoleArn" });
  const devBox = h("div", {}, dev.el), tokBox = h("div", {}, provider.el, token.el);
  function show() {
    const k = radios.find((r) => r.firstChild.checked).firstChild.value;
    devBox.hidden = k !== "developer";
    tokBox.hidden = k !== "token";
    return k;
  }
  show();
  const steps = h("ol", { class: "steps", id: "try-steps" });
  const out = h("div", { "aria-live": "polite" });

  // step runs one call; an optional one that fails is shown and the flow
  // goes on (the enhanced flow needs no OpenID token).
  async function step(name, fn, optional) {
    const status = h("span", { class: "marker" }, "⏳ running…");
    const detail = h("div", {});
    const tr = h("div", { class: "trace-box" });
    const li = h("li", { "data-step": name }, h("strong", {}, name), " ", status, detail, tr);
    steps.append(li);
    try {
      const { data, requestId, summary } = await fn();
      status.textContent = MARK.ok + " ok";
      clear(detail, h("div", { class: "mono" }, "request id ", requestId || "(none)"), summary ? h("div", {}, summary) : null);
      if (name !== "GetCallerIdentity") traceOf(requestId, tr, true); else tr.remove();
      return data;
    } catch (e) {
      li.className = "fail";
      status.textContent = MARK.fail + " failed";
      clear(detail, errorBox(e));
      await traceOf(e.requestId, tr, true);
      if (optional) {
        status.textContent = MARK.fail + " failed (not needed by the enhanced flow: going on)";
        return null;
      }
      throw e;
    }
  }

  const run = busyButton("Try it", "primary", async () => {
    clear(steps);
    const poolId = pool.input.value.trim();
    if (!poolId) throw { type: "Invalid", message: "Give an identity pool id." };
    const region = regionOf(poolId);
    const k = show();
    const roleArn = custom.input.value.trim() || undefined;
    let identityId, logins;
    lastRun = null;
    try {
      if (k === "developer") {
        const { data: p } = await cog("DescribeIdentityPool", { IdentityPoolId: poolId });
        if (!p.DeveloperProviderName) throw { type: "NoDeveloperProvider", message: "This pool has no developer provider name." };
        const d = await step("GetOpenIdTokenForDeveloperIdentity", async () => {
          const r = await cog("GetOpenIdTokenForDeveloperIdentity", { IdentityPoolId: poolId, Logins: { [p.DeveloperProviderName]: dev.input.value.trim() } });
          return { ...r, summary: [h("span", {}, "identity " + r.data.IdentityId + " · "), h("a", { href: "#/decode" }, "Decode the OpenID token")] };
        });
        identityId = d.IdentityId;
        lastToken = d.Token;
        logins = { "cognito-identity.amazonaws.com": d.Token };
      } else {
        if (k === "token") logins = { [provider.input.value.trim()]: token.input.value.trim() };
        const d = await step("GetId", async () => {
          const r = await cognito("GetId", { IdentityPoolId: poolId, AccountId: state.account || undefined, Logins: logins }, null, region);
          return { ...r, summary: "identity " + r.data.IdentityId };
        });
        identityId = d.IdentityId;
        await step("GetOpenIdToken", async () => {
          const r = await cognito("GetOpenIdToken", { IdentityId: identityId, Logins: logins }, null, region);
          lastToken = r.data.Token;
          return { ...r, summary: h("a", { href: "#/decode" }, "Decode the OpenID token") };
        }, true);
      }
      lastRun = { poolId, identityId, logins };
      const c = await step("GetCredentialsForIdentity", async () => {
        const r = await cognito("GetCredentialsForIdentity", { IdentityId: identityId, Logins: logins, CustomRoleArn: roleArn }, null, region);
        return { ...r, summary: "access key " + r.data.Credentials.AccessKeyId + ", expires " + new Date(r.data.Credentials.Expiration * 1000).toISOString() };
      });
      await step("GetCallerIdentity", async () => {
        const cr = c.Credentials;
        const r = await query("sts", "GetCallerIdentity", {}, { accessKeyId: cr.AccessKeyId, secretAccessKey: cr.SecretKey, sessionToken: cr.SessionToken }, region);
        return { ...r, summary: "signed with the vended credentials: " + r.data.Arn };
      });
      clear(out, h("p", { class: "ok", id: "try-ok" }, MARK.ok + " The login got credentials."));
    } catch (e) {
      clear(out, h("p", { class: "bad", id: "try-refused" }, MARK.fail + " Stopped: ", e.type || "Error", e.message ? ": " + e.message : ""));
    }
  }, out);

  const explainOut = h("div", { id: "explain" });
  const explain = busyButton("Explain credentials (dry run)", "", async () => {
    const input = { IdentityPoolId: pool.input.value.trim() };
    const k = show();
    if (k === "token") input.Logins = { [provider.input.value.trim()]: token.input.value.trim() };
    // After a run, explain for the identity it used (a developer user's
    // login is the OpenID token the run got).
    if (lastRun && lastRun.poolId === input.IdentityPoolId) {
      input.IdentityId = lastRun.identityId;
      if (lastRun.logins) input.Logins = lastRun.logins;
    }
    if (custom.input.value.trim()) input.CustomRoleArn = custom.input.value.trim();
    const r = await traceCall("ExplainCredentials", input);
    if (r === null) { clear(explainOut, noTraces()); return; }
    const o = r.data.Outcome || {};
    clear(explainOut, o.Error ? h("p", { class: "bad" }, MARK.fail + " Would refuse: ", o.Error.Type, ": ", o.Error.Message)
      : h("p", { class: "ok" }, MARK.ok + " Would vend credentials for ", h("span", { class: "mono" }, o.RoleArn || "?")), traceView(r.data.Trace, true));
  }, explainOut);

  return h("section", {}, h("h1", {}, "Try a login"),
    h("p", { class: "hint" }, "Runs GetId → GetOpenIdToken → GetCredentialsForIdentity unsigned, as an app does, then STS GetCallerIdentity signed with the credentials it got. Each step shows its request id and decision trace."),
    pool.el, pools, h("fieldset", { class: "card" }, h("legend", {}, "Who logs in"), radios, devBox, tokBox), custom.el,
    h("div", { class: "row" }, run, explain), out, steps, explainOut);
}

let lastToken = "";
let lastRun = null; // the try panel's last identity: {poolId, identityId, logins}

function b64url(s) {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "="));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

const ALGS = {
  RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  RS384: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" }, { name: "RSASSA-PKCS1-v1_5" }],
  RS512: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" }, { name: "RSASSA-PKCS1-v1_5" }],
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
};

// verify checks a JWT's signature against this server's JWKS when the key
// is there; it says so plainly when it cannot.
async function verify(parts, header) {
  const alg = ALGS[header.alg];
  if (!alg) return h("p", { class: "warn" }, MARK.warn + ` Signature not checked: algorithm ${header.alg} is not one the decoder knows.`);
  let jwks;
  try { jwks = await fetchJWKS(); } catch { return h("p", { class: "warn" }, MARK.warn + " Signature not checked: the JWKS could not be fetched."); }
  const jwk = (jwks.keys || []).find((k) => k.kid === header.kid);
  if (!jwk) return h("p", { class: "warn" }, MARK.warn + " Signature not checked: key " + header.kid + " is not one of this server's signing keys (a token from another issuer?).");
  const key = await crypto.subtle.importKey("jwk", jwk, alg[0], false, ["verify"]);
  const ok = await crypto.subtle.verify(alg[1], key, b64url(parts[2]), new TextEncoder().encode(parts[0] + "." + parts[1]));
  return ok ? h("p", { class: "ok" }, MARK.ok + " Signature verified with this server's key " + header.kid + ".")
    : h("p", { class: "bad" }, MARK.fail + " The signature does not verify with key " + header.kid + ".");
}

export function decodePage() {
  const tok = field("JWT", { textarea: true, value: lastToken, hint: "Decoded here, in the browser; nothing is sent anywhere (only this server's public JWKS is fetched to check the signature)." });
  const out = h("div", { id: "decoded", "aria-live": "polite" });
  async function decode() {
    const t = tok.input.value.trim();
    if (!t) { clear(out); return; }
    const parts = t.split(".");
    if (parts.length !== 3) { clear(out, h("p", { class: "bad" }, MARK.fail + ` Not a JWT: ${parts.length} parts, want 3.`)); return; }
    let header, payload;
    try {
      header = JSON.parse(new TextDecoder().decode(b64url(parts[0])));
      payload = JSON.parse(new TextDecoder().decode(b64url(parts[1])));
    } catch (e) { clear(out, h("p", { class: "bad" }, MARK.fail + " Not a JWT: " + e.message)); return; }
    const now = Date.now() / 1000;
    const times = {};
    for (const k of ["iat", "nbf", "exp"]) if (typeof payload[k] === "number") times[k] = new Date(payload[k] * 1000).toISOString();
    const expiry = typeof payload.exp === "number" ? (payload.exp < now ? h("p", { class: "bad" }, MARK.fail + ` Expired ${Math.round(now - payload.exp)} s ago.`)
      : h("p", { class: "ok" }, MARK.ok + ` Valid for ${Math.round(payload.exp - now)} s more.`)) : null;
    clear(out, h("h2", {}, "Header"), h("pre", {}, JSON.stringify(header, null, 2)), h("h2", {}, "Payload"),
      h("pre", {}, JSON.stringify(payload, null, 2)), facts(times), expiry, h("p", { class: "note" }, "⏳ Checking the signature…"));
    const v = await verify(parts, header).catch((e) => h("p", { class: "warn" }, MARK.warn + " Signature not checked: " + e.message));
    out.lastChild.replaceWith(v);
  }
  tok.input.addEventListener("input", decode);
  decode();
  return h("section", {}, h("h1", {}, "Token decoder"), tok.el, out);
}
