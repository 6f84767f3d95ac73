// IAM roles (with their trust policies), OIDC and SAML providers (with the
// roles that trust them), and the server's token signing keys.
import { h, clear, errorBox, table, pager, when } from "./dom.js";
import { iam } from "./session.js";

const list = (v) => (Array.isArray(v) ? v : v ? [v] : []);

function policyText(doc) {
  if (!doc) return "";
  let s = doc;
  try { s = decodeURIComponent(doc); } catch { /* as is */ }
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; }
}

// federated is the set of principals a trust policy's statements name.
function federated(doc) {
  const out = new Set();
  try {
    const p = JSON.parse(decodeURIComponent(doc));
    for (const st of list(p.Statement)) for (const f of list(st.Principal && st.Principal.Federated)) out.add(f);
  } catch { /* unreadable policy: trusts nothing we can name */ }
  return out;
}

export function iamPage() {
  const loaded = [];
  const providers = h("div", {}, h("p", { class: "note" }, "⏳ Loading the identity providers…"));
  const roles = pager(async (marker) => {
    const { data } = await iam("ListRoles", marker ? { MaxItems: "20", Marker: marker } : { MaxItems: "20" });
    const rows = list(data.Roles);
    loaded.push(...rows);
    drawProviders();
    return { rows, next: data.IsTruncated === "true" ? data.Marker : undefined };
  }, (rows) => table([
    { title: "Role", cell: (r) => h("div", {}, h("strong", {}, r.RoleName), h("div", { class: "mono" }, r.Arn)) },
    { title: "Created", cell: (r) => when(r.CreateDate) },
    { title: "Trust policy", cell: (r) => h("details", {}, h("summary", {}, "Show trust policy"), h("pre", {}, policyText(r.AssumeRolePolicyDocument))) },
  ], rows));

  let drawn = false;
  async function drawProviders() {
    if (drawn) return;
    drawn = true;
    try {
      const [oidc, saml] = await Promise.all([iam("ListOpenIDConnectProviders"), iam("ListSAMLProviders")]);
      const oidcRows = await Promise.all(list(oidc.data.OpenIDConnectProviderList).map(async (p) => {
        try { return { Arn: p.Arn, ...(await iam("GetOpenIDConnectProvider", { OpenIDConnectProviderArn: p.Arn })).data }; } catch (e) { return { Arn: p.Arn, error: e }; }
      }));
      const trusting = (arn) => {
        const names = loaded.filter((r) => federated(r.AssumeRolePolicyDocument).has(arn)).map((r) => r.RoleName);
        return names.length ? names.join(", ") : h("span", { class: "note" }, "none of the roles listed");
      };
      clear(providers,
        h("h2", {}, "OpenID Connect providers"),
        table([
          { title: "Provider", cell: (p) => h("div", {}, h("div", {}, p.Url || ""), h("div", { class: "mono" }, p.Arn)) },
          { title: "Client ids", cell: (p) => (p.error ? errorBox(p.error) : list(p.ClientIDList).join(", ")) },
          { title: "Thumbprints", mono: true, cell: (p) => list(p.ThumbprintList).join(" ") },
          { title: "Roles trusting it", cell: (p) => trusting(p.Arn) },
        ], oidcRows),
        h("h2", {}, "SAML providers"),
        table([
          { title: "Provider", mono: true, cell: (p) => p.Arn },
          { title: "Valid until", cell: (p) => when(p.ValidUntil) },
          { title: "Roles trusting it", cell: (p) => trusting(p.Arn) },
        ], list(saml.data.SAMLProviderList)));
    } catch (e) {
      clear(providers, errorBox(e));
    }
  }
  return h("section", {}, h("h1", {}, "IAM roles and identity providers"),
    h("p", { class: "hint" }, "IAM Query calls (ListRoles, ListOpenIDConnectProviders, ListSAMLProviders) signed for iam."),
    h("h2", {}, "Roles"), roles, providers);
}

export async function fetchJWKS() {
  const resp = await fetch("/.well-known/jwks_uri", { credentials: "omit" });
  if (!resp.ok) throw { type: "HTTP " + resp.status, message: "GET /.well-known/jwks_uri" };
  return resp.json();
}

export function keysPage() {
  const body = h("div", {}, h("p", { class: "note" }, "⏳ Loading…"));
  (async () => {
    try {
      const [jwks, disc] = await Promise.all([fetchJWKS(), fetch("/.well-known/openid-configuration", { credentials: "omit" }).then((r) => r.json())]);
      const bits = (k) => (k.n ? String(Math.round((k.n.length * 6) / 8) * 8) : k.crv || "");
      clear(body,
        h("p", {}, "Issuer ", h("code", {}, disc.issuer || "?"), "; relying parties fetch ", h("code", {}, disc.jwks_uri || "/.well-known/jwks_uri"), ". The newest key signs; older ones stay published until tokens they signed expire."),
        table([
          { title: "Key id (kid)", mono: true, cell: (k) => k.kid },
          { title: "Type", cell: (k) => k.kty },
          { title: "Algorithm", cell: (k) => k.alg || "" },
          { title: "Use", cell: (k) => k.use || "" },
          { title: "Size", cell: (k) => bits(k) },
          { title: "Certificate", cell: (k) => (k.x5c ? "✓ x5c (" + k.x5c.length + ")" : "none") },
        ], jwks.keys || []),
        h("details", {}, h("summary", {}, "Raw JWKS"), h("pre", {}, JSON.stringify(jwks, null, 2))));
    } catch (e) { clear(body, errorBox(e)); }
  })();
  return h("section", {}, h("h1", {}, "Token signing keys"), body);
}
