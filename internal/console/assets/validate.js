// Checks the console runs as you type, mirroring what the server refuses
// (SetIdentityPoolRoles, CreateIdentityPool). They only help: the server
// still decides, and its error is shown when it disagrees.

// AWS's role ARN form; a server with an external STS (sts.kind) may take
// others, so a mismatch is a warning, not a refusal.
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const MATCH_TYPES = ["Equals", "Contains", "StartsWith", "NotEqual"];
const RESOLUTIONS = ["AuthenticatedRole", "Deny"];
const CLAIM = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u; // the model's ClaimName

// providerKeys are the names a pool's role mappings and principal tag maps
// may use: social domains, USERPOOL:CLIENTID, OIDC ARNs and hosts, SAML ARNs.
export function providerKeys(pool) {
  const keys = Object.keys(pool.SupportedLoginProviders || {});
  for (const c of pool.CognitoIdentityProviders || []) keys.push(c.ProviderName + ":" + c.ClientId);
  for (const arn of pool.OpenIdConnectProviderARNs || []) {
    keys.push(arn);
    const i = arn.indexOf(":oidc-provider/");
    if (i > 0) keys.push(arn.slice(i + ":oidc-provider/".length));
  }
  keys.push(...(pool.SamlProviderARNs || []));
  return keys;
}

// checkRoleArn returns a problem with an ARN, or "".
export function checkRoleArn(arn) {
  if (!arn) return "";
  return ROLE_ARN.test(arn) ? "" : `'${arn}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)`;
}

// checkRoleMappings returns {errors, warnings, value} for the JSON text of
// a RoleMappings map.
export function checkRoleMappings(text, pool) {
  const errors = [], warnings = [];
  if (!text.trim()) return { errors, warnings, value: {} };
  let v;
  try { v = JSON.parse(text); } catch (e) { return { errors: ["Not JSON: " + e.message], warnings, value: null }; }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { errors: ["RoleMappings must be an object keyed by provider name"], warnings, value: null };
  const keys = Object.keys(v);
  if (keys.length > 10) errors.push(`At most 10 providers can have a role mapping; this has ${keys.length}`);
  const known = providerKeys(pool);
  for (const key of keys) {
    const m = v[key];
    const at = `'${key}'`;
    if (!known.includes(key)) errors.push(`${at} is not a configured provider of this pool (${known.length ? "one of: " + known.join(", ") : "the pool has none"})`);
    if (typeof m !== "object" || m === null) { errors.push(`${at}: the mapping must be an object`); continue; }
    if (m.Type !== "Token" && m.Type !== "Rules") errors.push(`${at}: Type must be Token or Rules`);
    if (!RESOLUTIONS.includes(m.AmbiguousRoleResolution)) errors.push(`${at}: AmbiguousRoleResolution must be AuthenticatedRole or Deny`);
    for (const k of Object.keys(m)) if (!["Type", "AmbiguousRoleResolution", "RulesConfiguration"].includes(k)) errors.push(`${at}: unknown member ${k}`);
    if (m.Type !== "Rules") {
      if (m.RulesConfiguration) warnings.push(`${at}: RulesConfiguration is ignored for a Token mapping`);
      continue;
    }
    const rules = m.RulesConfiguration && m.RulesConfiguration.Rules;
    if (!Array.isArray(rules) || rules.length === 0) { errors.push(`${at}: a Rules mapping needs RulesConfiguration.Rules with at least one rule`); continue; }
    if (rules.length > 25) errors.push(`${at}: at most 25 rules; this has ${rules.length}`);
    rules.forEach((r, i) => {
      const rat = `${at} rule ${i + 1}`;
      if (typeof r !== "object" || r === null) { errors.push(`${rat}: must be an object`); return; }
      if (typeof r.Claim !== "string" || r.Claim.length < 1 || r.Claim.length > 64) errors.push(`${rat}: Claim must be 1 to 64 characters`);
      else if (!CLAIM.test(r.Claim)) errors.push(`${rat}: Claim must be letters, digits, symbols or punctuation, no spaces`);
      if (!MATCH_TYPES.includes(r.MatchType)) errors.push(`${rat}: MatchType must be one of ${MATCH_TYPES.join(", ")}`);
      if (typeof r.Value !== "string" || r.Value.length < 1 || r.Value.length > 128) errors.push(`${rat}: Value must be 1 to 128 characters`);
      if (typeof r.RoleARN !== "string" || !r.RoleARN) errors.push(`${rat}: RoleARN is required`);
      else if (checkRoleArn(r.RoleARN)) warnings.push(`${rat}: ${checkRoleArn(r.RoleARN)}`);
    });
  }
  return { errors, warnings, value: errors.length ? null : v };
}

const POOL_NAME = /^[\w ]{1,128}$/;
export function checkPoolName(name) {
  return POOL_NAME.test(name) ? "" : "A pool name is 1 to 128 letters, digits, spaces or underscores";
}

// lines parses "key=value" lines into an object; bad lines are reported.
export function parsePairs(text, what) {
  const out = {}, errors = [];
  text.split("\n").map((l) => l.trim()).filter(Boolean).forEach((l, i) => {
    const j = l.indexOf("=");
    if (j <= 0) errors.push(`${what} line ${i + 1}: want KEY=VALUE`);
    else out[l.slice(0, j).trim()] = l.slice(j + 1).trim();
  });
  return { value: out, errors };
}

export function pairsText(obj) {
  return Object.entries(obj || {}).map(([k, v]) => k + "=" + v).join("\n");
}

export function parseLines(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean);
}
