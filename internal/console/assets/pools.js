// Pools, one pool (settings, roles and role mappings, tags, principal
// tags), its identities and its developer users.
import { h, clear, field, errorBox, busyButton, table, pager, when, MARK } from "./dom.js";
import { cog, state, regionOf } from "./session.js";
import { checkRoleMappings, checkRoleArn, checkPoolName, parsePairs, pairsText, parseLines, providerKeys } from "./validate.js";

const poolHref = (id) => "#/pool/" + encodeURIComponent(id);
const poolArn = (id) => `arn:aws:cognito-identity:${regionOf(id)}:${state.account}:identitypool/${id}`;

function checks(list, errors, warnings) {
  clear(list, errors.map((e) => h("li", { class: "fail" }, h("span", { class: "marker" }, MARK.fail + " "), e)),
    warnings.map((w) => h("li", {}, h("span", { class: "marker" }, MARK.warn + " "), w)),
    errors.length + warnings.length === 0 ? h("li", {}, h("span", { class: "marker" }, MARK.ok + " "), "Looks valid") : null);
}

// poolForm edits the settings CreateIdentityPool and UpdateIdentityPool take.
function poolForm(p = {}, withTags) {
  const f = {
    name: field("Name", { value: p.IdentityPoolName, required: true, name: "IdentityPoolName" }),
    guests: field("Allow guests (unauthenticated identities)", { type: "checkbox", value: p.AllowUnauthenticatedIdentities, name: "AllowUnauthenticatedIdentities" }),
    classic: field("Allow the basic (classic) flow", { type: "checkbox", value: p.AllowClassicFlow, name: "AllowClassicFlow" }),
    dev: field("Developer provider name", { value: p.DeveloperProviderName, name: "DeveloperProviderName", hint: "Your backend's name (login.example.com); set once, cannot change." }),
    social: field("Supported login providers", { textarea: true, value: pairsText(p.SupportedLoginProviders), name: "SupportedLoginProviders",
      hint: "One per line: accounts.google.com=CLIENT_ID (several ids: comma-separated), graph.facebook.com=APP_ID, …" }),
    oidc: field("OpenID Connect provider ARNs", { textarea: true, value: (p.OpenIdConnectProviderARNs || []).join("\n"), name: "OpenIdConnectProviderARNs", hint: "One IAM OIDC provider ARN per line." }),
    saml: field("SAML provider ARNs", { textarea: true, value: (p.SamlProviderARNs || []).join("\n"), name: "SamlProviderARNs", hint: "One IAM SAML provider ARN per line." }),
    cup: field("Cognito user pools", { textarea: true, name: "CognitoIdentityProviders",
      value: (p.CognitoIdentityProviders || []).map((c) => [c.ProviderName, c.ClientId, c.ServerSideTokenCheck ? "check" : ""].filter(Boolean).join(",")).join("\n"),
      hint: "One per line: cognito-idp.REGION.amazonaws.com/POOL_ID,CLIENT_ID[,check] (check: ServerSideTokenCheck)." }),
    tags: withTags ? field("Tags", { textarea: true, name: "IdentityPoolTags", hint: "One per line: KEY=VALUE." }) : null,
  };
  const list = h("ul", { class: "checks", "aria-live": "polite" });
  function value() {
    const errors = [];
    const name = f.name.input.value.trim();
    if (checkPoolName(name)) errors.push(checkPoolName(name));
    const social = parsePairs(f.social.input.value, "Supported login providers");
    errors.push(...social.errors);
    const cups = parseLines(f.cup.input.value).map((l, i) => {
      const [ProviderName, ClientId, check] = l.split(",").map((s) => s.trim());
      if (!ProviderName || !ClientId) errors.push(`Cognito user pools line ${i + 1}: want PROVIDER,CLIENT_ID[,check]`);
      return { ProviderName, ClientId, ServerSideTokenCheck: check === "check" };
    });
    const v = { IdentityPoolName: name, AllowUnauthenticatedIdentities: f.guests.input.checked, AllowClassicFlow: f.classic.input.checked,
      SupportedLoginProviders: social.value, OpenIdConnectProviderARNs: parseLines(f.oidc.input.value),
      SamlProviderARNs: parseLines(f.saml.input.value), CognitoIdentityProviders: cups };
    const dev = f.dev.input.value.trim();
    if (dev) v.DeveloperProviderName = dev;
    if (f.tags) {
      const t = parsePairs(f.tags.input.value, "Tags");
      errors.push(...t.errors);
      if (Object.keys(t.value).length) v.IdentityPoolTags = t.value;
    }
    return { v, errors };
  }
  const el = h("div", { class: "grid2" }, Object.values(f).filter(Boolean).map((x) => x.el));
  el.addEventListener("input", () => checks(list, value().errors, []));
  return { el: h("div", {}, el, list), value };
}

export function poolsPage() {
  const table_ = pager(async (token) => {
    const { data } = await cog("ListIdentityPools", { MaxResults: 20, NextToken: token });
    return { rows: data.IdentityPools || [], next: data.NextToken };
  }, (rows) => table([
    { title: "Name", cell: (p) => h("a", { href: poolHref(p.IdentityPoolId) }, p.IdentityPoolName) },
    { title: "Pool id", mono: true, cell: (p) => p.IdentityPoolId },
  ], rows));
  const form = poolForm({}, true);
  const out = h("div", { "aria-live": "polite" });
  const create = busyButton("Create pool", "primary", async () => {
    const { v, errors } = form.value();
    if (errors.length) throw { type: "Invalid", message: errors.join("; ") };
    const { data } = await cog("CreateIdentityPool", v);
    clear(out, h("p", { class: "ok" }, MARK.ok + " Created ", h("a", { href: poolHref(data.IdentityPoolId), id: "created-pool" }, data.IdentityPoolId)));
    table_.reload();
  }, out);
  return h("section", {}, h("h1", {}, "Identity pools (", state.region, ")"), table_,
    h("details", { class: "card", id: "create-pool" }, h("summary", {}, "Create a pool"), form.el, h("div", { class: "row" }, create), out));
}

export function poolPage(id) {
  const root = h("section", {}, h("h1", {}, "Pool ", h("span", { class: "mono" }, id)), h("p", { class: "note" }, "⏳ Loading…"));
  (async () => {
    let pool, roles;
    try {
      [pool, roles] = await Promise.all([cog("DescribeIdentityPool", { IdentityPoolId: id }), cog("GetIdentityPoolRoles", { IdentityPoolId: id })]);
      pool = pool.data;
      roles = roles.data;
    } catch (e) {
      clear(root, h("h1", {}, "Pool ", h("span", { class: "mono" }, id)), errorBox(e));
      return;
    }
    clear(root, h("h1", {}, pool.IdentityPoolName, " ", h("span", { class: "mono" }, id)),
      h("p", { class: "row" }, h("a", { href: poolHref(id) + "/identities" }, "Identities"), " · ",
        h("a", { href: poolHref(id) + "/developers" }, "Developer users"), " · ",
        h("a", { href: "#/try?pool=" + encodeURIComponent(id) }, "Try a login"), " · ",
        h("a", { href: "#/requests?pool=" + encodeURIComponent(id) }, "Recent requests")),
      settingsSection(pool), rolesSection(pool, roles), tagsSection(pool), principalTagsSection(pool), deleteSection(pool));
  })();
  return root;
}

function settingsSection(pool) {
  const form = poolForm(pool, false);
  const out = h("div", { "aria-live": "polite" });
  const save = busyButton("Save settings", "primary", async () => {
    const { v, errors } = form.value();
    if (errors.length) throw { type: "Invalid", message: errors.join("; ") };
    await cog("UpdateIdentityPool", { IdentityPoolId: pool.IdentityPoolId, ...v });
    clear(out, h("p", { class: "ok" }, MARK.ok + " Saved."));
  }, out);
  return h("section", { id: "settings" }, h("h2", {}, "Settings and providers"), form.el, h("div", { class: "row" }, save), out);
}

function rolesSection(pool, roles) {
  const r = roles.Roles || {};
  const auth = field("Authenticated role ARN", { value: r.authenticated, name: "authenticated" });
  const unauth = field("Unauthenticated (guest) role ARN", { value: r.unauthenticated, name: "unauthenticated" });
  const maps = field("Role mappings (JSON, by provider)", { textarea: true, tall: true, name: "RoleMappings",
    value: roles.RoleMappings ? JSON.stringify(roles.RoleMappings, null, 2) : "",
    hint: "Keys are this pool's providers: " + (providerKeys(pool).join(", ") || "none configured yet") + "." });
  const list = h("ul", { class: "checks", id: "mapping-checks", "aria-live": "polite" });
  const out = h("div", { "aria-live": "polite" });
  function check() {
    const c = checkRoleMappings(maps.input.value, pool);
    const warnings = [...c.warnings];
    for (const [n, f] of [["Authenticated role", auth], ["Unauthenticated role", unauth]]) {
      const p = checkRoleArn(f.input.value.trim());
      if (p) warnings.push(n + ": " + p);
    }
    checks(list, c.errors, warnings);
    return c;
  }
  for (const f of [auth, unauth, maps]) f.input.addEventListener("input", check);
  check();
  const template = (type) => () => {
    const key = providerKeys(pool)[0] || "PROVIDER";
    const m = { [key]: type === "Rules"
      ? { Type: "Rules", AmbiguousRoleResolution: "Deny", RulesConfiguration: { Rules: [{ Claim: "team", MatchType: "Equals", Value: "blue", RoleARN: auth.input.value.trim() || "arn:aws:iam::" + (state.account || "000000000000") + ":role/blue" }] } }
      : { Type: "Token", AmbiguousRoleResolution: "AuthenticatedRole" } };
    maps.input.value = JSON.stringify(m, null, 2);
    check();
    maps.input.focus();
  };
  const save = busyButton("Save roles", "primary", async () => {
    const c = check();
    if (c.errors.length) throw { type: "Invalid", message: "Fix the role mappings first: " + c.errors.join("; ") };
    const Roles = {};
    if (auth.input.value.trim()) Roles.authenticated = auth.input.value.trim();
    if (unauth.input.value.trim()) Roles.unauthenticated = unauth.input.value.trim();
    const input = { IdentityPoolId: pool.IdentityPoolId, Roles };
    if (Object.keys(c.value).length) input.RoleMappings = c.value;
    await cog("SetIdentityPoolRoles", input);
    clear(out, h("p", { class: "ok" }, MARK.ok + " Roles saved."));
  }, out);
  return h("section", { id: "roles" }, h("h2", {}, "Roles and role mappings"),
    h("div", { class: "grid2" }, auth.el, unauth.el), maps.el,
    h("div", { class: "row" }, h("button", { type: "button", on: { click: template("Rules") } }, "Insert a Rules mapping"),
      h("button", { type: "button", on: { click: template("Token") } }, "Insert a Token mapping")),
    list, h("div", { class: "row" }, save), out);
}

function tagsSection(pool) {
  const tags = field("Tags", { textarea: true, value: pairsText(pool.IdentityPoolTags), name: "tags", hint: "One per line: KEY=VALUE." });
  const out = h("div", { "aria-live": "polite" });
  let current = { ...(pool.IdentityPoolTags || {}) };
  const save = busyButton("Save tags", "primary", async () => {
    const t = parsePairs(tags.input.value, "Tags");
    if (t.errors.length) throw { type: "Invalid", message: t.errors.join("; ") };
    if (!state.account) throw { type: "NoAccount", message: "The account id is unknown (STS GetCallerIdentity failed at sign-in), so the pool's ARN is too." };
    const removed = Object.keys(current).filter((k) => !(k in t.value));
    const changed = Object.fromEntries(Object.entries(t.value).filter(([k, v]) => current[k] !== v));
    if (removed.length) await cog("UntagResource", { ResourceArn: poolArn(pool.IdentityPoolId), TagKeys: removed });
    if (Object.keys(changed).length) await cog("TagResource", { ResourceArn: poolArn(pool.IdentityPoolId), Tags: changed });
    current = t.value;
    clear(out, h("p", { class: "ok" }, MARK.ok + ` Tags saved (${Object.keys(changed).length} set, ${removed.length} removed).`));
  }, out);
  return h("section", { id: "tags" }, h("h2", {}, "Tags"), tags.el, h("div", { class: "row" }, save), out);
}

function principalTagsSection(pool) {
  const names = [...providerKeys(pool), ...(pool.CognitoIdentityProviders || []).map((c) => c.ProviderName)];
  if (pool.DeveloperProviderName) names.push(pool.DeveloperProviderName);
  const uniq = [...new Set(names)];
  if (uniq.length === 0) return h("section", { id: "principal-tags" }, h("h2", {}, "Principal tags"), h("p", { class: "note" }, "The pool has no providers to map claims from."));
  const sel = h("select", { id: "pt-provider" }, uniq.map((n) => h("option", { value: n }, n)));
  const body = h("div", {});
  async function load() {
    clear(body, h("p", { class: "note" }, "⏳ Loading…"));
    try {
      const { data } = await cog("GetPrincipalTagAttributeMap", { IdentityPoolId: pool.IdentityPoolId, IdentityProviderName: sel.value });
      const defaults = field("Use the default mapping (sub and aud as tags)", { type: "checkbox", value: data.UseDefaults });
      const tags = field("Principal tags", { textarea: true, value: pairsText(data.PrincipalTags), hint: "One per line: TAG=CLAIM." });
      const out = h("div", { "aria-live": "polite" });
      const save = busyButton("Save principal tags", "primary", async () => {
        const t = parsePairs(tags.input.value, "Principal tags");
        if (t.errors.length) throw { type: "Invalid", message: t.errors.join("; ") };
        await cog("SetPrincipalTagAttributeMap", { IdentityPoolId: pool.IdentityPoolId, IdentityProviderName: sel.value, UseDefaults: defaults.input.checked, PrincipalTags: t.value });
        clear(out, h("p", { class: "ok" }, MARK.ok + " Saved."));
      }, out);
      clear(body, defaults.el, tags.el, h("div", { class: "row" }, save), out);
    } catch (e) { clear(body, errorBox(e)); }
  }
  sel.addEventListener("change", load);
  load();
  return h("section", { id: "principal-tags" }, h("h2", {}, "Principal tags (attributes for access control)"),
    h("label", { for: "pt-provider" }, "Provider"), sel, body);
}

function deleteSection(pool) {
  const out = h("div", { "aria-live": "polite" });
  const confirm = field(`Type the pool's name (${pool.IdentityPoolName}) to delete it and all its identities`, {});
  const del = busyButton("Delete pool", "danger", async () => {
    if (confirm.input.value !== pool.IdentityPoolName) throw { type: "NotConfirmed", message: "The name typed does not match." };
    await cog("DeleteIdentityPool", { IdentityPoolId: pool.IdentityPoolId });
    location.hash = "#/pools";
  }, out);
  return h("section", { id: "delete" }, h("h2", {}, "Delete"), confirm.el, h("div", { class: "row" }, del), out);
}

export function identitiesPage(id) {
  const hide = field("Hide disabled identities", { type: "checkbox" });
  const out = h("div", { "aria-live": "polite" });
  const selected = new Set();
  const list = pager(async (token) => {
    const { data } = await cog("ListIdentities", { IdentityPoolId: id, MaxResults: 20, NextToken: token, HideDisabled: hide.input.checked });
    return { rows: data.Identities || [], next: data.NextToken };
  }, (rows) => table([
    { title: "Select", cell: (i) => h("input", { type: "checkbox", "aria-label": "Select " + i.IdentityId, checked: selected.has(i.IdentityId),
      on: { change: (e) => (e.target.checked ? selected.add(i.IdentityId) : selected.delete(i.IdentityId)) } }) },
    { title: "Identity id", mono: true, cell: (i) => i.IdentityId },
    { title: "Logins", cell: (i) => (i.Logins && i.Logins.length ? i.Logins.join(", ") : h("span", { class: "note" }, "guest (none)")) },
    { title: "Created", cell: (i) => when(i.CreationDate) },
    { title: "Modified", cell: (i) => when(i.LastModifiedDate) },
    { title: "", cell: (i) => h("a", { href: "#/requests?identity=" + encodeURIComponent(i.IdentityId) }, "Requests") },
  ], rows));
  hide.input.addEventListener("change", () => list.reload());
  const del = busyButton("Delete selected", "danger", async () => {
    if (selected.size === 0) throw { type: "NothingSelected", message: "Select identities first." };
    const { data } = await cog("DeleteIdentities", { IdentityIdsToDelete: [...selected] });
    const un = data.UnprocessedIdentityIds || [];
    clear(out, h("p", { class: un.length ? "warn" : "ok" }, un.length ? MARK.warn + ` ${un.length} not deleted: ` + un.map((u) => u.IdentityId + " (" + u.ErrorCode + ")").join(", ") : MARK.ok + ` Deleted ${selected.size}.`));
    selected.clear();
    list.reload();
  }, out);
  return h("section", {}, h("h1", {}, "Identities of ", h("a", { href: poolHref(id), class: "mono" }, id)), hide.el, list, h("div", { class: "row" }, del), out);
}

export function developersPage(id) {
  const byUser = field("Developer user identifier", { name: "DeveloperUserIdentifier" });
  const byId = field("or identity id", { name: "IdentityId" });
  const results = h("div", { id: "dev-results" });
  const out = h("div", { "aria-live": "polite" });
  const lookup = busyButton("Look up", "primary", async () => {
    const input = { IdentityPoolId: id, MaxResults: 20 };
    if (byUser.input.value.trim()) input.DeveloperUserIdentifier = byUser.input.value.trim();
    if (byId.input.value.trim()) input.IdentityId = byId.input.value.trim();
    clear(results, pager(async (token) => {
      const { data } = await cog("LookupDeveloperIdentity", { ...input, NextToken: token });
      return { rows: (data.DeveloperUserIdentifierList || []).map((u) => ({ user: u, identity: data.IdentityId })), next: data.NextToken };
    }, (rows) => table([
      { title: "Identity id", mono: true, cell: (r) => r.identity },
      { title: "Developer user", mono: true, cell: (r) => r.user },
      { title: "", cell: (r) => h("a", { href: `#/try?pool=${encodeURIComponent(id)}&developer=${encodeURIComponent(r.user)}` }, "Try a login as this user") },
    ], rows)));
  }, out);
  return h("section", {}, h("h1", {}, "Developer users of ", h("a", { href: poolHref(id), class: "mono" }, id)),
    h("p", { class: "hint" }, "LookupDeveloperIdentity: give a developer user identifier or an identity id. New users come from GetOpenIdTokenForDeveloperIdentity (Try a login → developer user)."),
    h("div", { class: "grid2" }, byUser.el, byId.el), h("div", { class: "row" }, lookup), out, results);
}
