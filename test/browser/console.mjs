// Drives idpool's web console (/console/) in headless Chromium (Debian's,
// through playwright-core) as a person would, and prints what it saw as
// JSON on stdout; test/e2e/console asserts on it.
//
// usage: node console.mjs --url http://127.0.0.1:PORT --token GOOGLE_ID_TOKEN --out DIR
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    token: { type: "string" },
    out: { type: "string" },
    secret: { type: "string", default: "secret_marker_pool" },
    "secret-pool": { type: "string", default: "" },
    chromium: { type: "string", default: process.env.IDPOOL_TEST_CHROMIUM || "/usr/bin/chromium" },
    timeout: { type: "string", default: "20000" },
  },
});
if (!values.url || !values.token || !values.out) {
  console.error("usage: node console.mjs --url URL --token TOKEN --out DIR");
  process.exit(2);
}
const timeout = Number(values.timeout);
const base = values.url + "/console/";
const started = Date.now();
const res = { a11y: [], timings: {}, screenshots: [], violations: [], pageErrors: [], apiCalls: [], preflights: 0 };

const browser = await chromium.launch({
  executablePath: values.chromium,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// fakeTraces answers the trace operations as their contract says:
// GetTrace {RequestId} -> {Trace}, ListTraces -> {Traces, NextToken?},
// ExplainCredentials -> {Trace, Outcome}.
function fakeTraces(poolId) {
  const identity = "us-east-1:00000000-0000-4000-8000-000000000001";
  const summary = (id, op, outcome, errorType) => ({ RequestId: id, Operation: op, Time: "2026-12-07T03:00:00Z", IdentityPoolId: poolId, IdentityId: identity, Outcome: outcome, ...(errorType ? { ErrorType: errorType } : {}) });
  const trace = {
    ...summary("fake-req-1", "GetCredentialsForIdentity", "refused", "NotAuthorizedException"),
    ErrorMessage: "The ambiguous role mapping rules denied this request.",
    Steps: [
      { Phase: "pool", Check: "pool", Result: "pass", Detail: "pool found", Facts: { IdentityPoolId: poolId } },
      { Phase: "login", Check: "signature", Result: "pass", Detail: "accounts.google.com, key test-1", Facts: { kid: "test-1" } },
      { Phase: "role", Check: "rule 1 team Equals blue", Result: "fail", Detail: "claim team is red, not blue", Facts: { claim: "team", value: "red", want: "blue" } },
      { Phase: "role", Check: "AmbiguousRoleResolution", Result: "fail", Detail: "Deny: no rule matched", Facts: {} },
      { Phase: "sts", Check: "not reached", Result: "info", Detail: "", Facts: {} },
    ],
  };
  return {
    ListTraces: (input) => (input.NextToken === "page-2"
      ? { Traces: [summary("fake-req-3", "GetId", "ok")] }
      : { Traces: [summary("fake-req-1", "GetCredentialsForIdentity", "refused", "NotAuthorizedException"), summary("fake-req-2", "GetId", "error", "InternalErrorException")], NextToken: "page-2" }),
    GetTrace: (input) => ({ Trace: { ...trace, RequestId: input.RequestId } }),
    ExplainCredentials: () => ({ Trace: trace, Outcome: { Error: { Type: "NotAuthorizedException", Message: "The ambiguous role mapping rules denied this request." } } }),
  };
}

let lastPage = null;
async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  lastPage = page;
  page.setDefaultTimeout(timeout);
  page.on("pageerror", (e) => res.pageErrors.push(e.message));
  // Chromium logs every 4xx answer ("Failed to load resource"): the AWS
  // errors the console shows on purpose. Anything else is a page error.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) res.pageErrors.push("console: " + m.text()); });
  page.on("request", (r) => { if (r.method() === "OPTIONS") res.preflights++; });
  page.on("request", (r) => { if (r.method() === "POST") res.apiCalls.push({ phase: res.phase, target: r.headers()["x-amz-target"] || r.postData()?.split("&")[0] || "", signed: !!r.headers()["authorization"] }); });
  await page.exposeFunction("__violation", (v) => res.violations.push(v));
  await page.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) => window.__violation(e.violatedDirective + " " + e.blockedURI)));
  return page;
}

// a11y lists what a keyboard or screen-reader user could not use: fields
// without a label, controls without a name, anything taken out of the tab
// order.
async function a11y(page, name) {
  const bad = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll("input, select, textarea")) {
      if (el.type !== "hidden" && el.labels.length === 0 && !el.getAttribute("aria-label")) out.push("unlabelled " + el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll("button, a[href]")) {
      if (!el.textContent.trim() && !el.getAttribute("aria-label")) out.push("unnamed " + el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll("[tabindex]")) {
      if (Number(el.getAttribute("tabindex")) < 0 && el.id !== "main") out.push("untabbable " + el.outerHTML.slice(0, 80));
    }
    return out;
  });
  for (const b of bad) res.a11y.push(name + ": " + b);
}

async function shoot(page, name) {
  await a11y(page, name);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    const file = path.join(values.out, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    res.screenshots.push({ file, width, overflow });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const text = (page, sel) => page.locator(sel).first().innerText();

async function signIn(page, key, secret) {
  await page.fill("#signin input[name=accessKeyId]", key);
  await page.fill("#signin input[name=secretAccessKey]", secret);
  await page.click("#signin button[type=submit]");
}

let exitCode = 0;
try {
  // 1. Signed out: whatever the address, only the sign-in form, no calls.
  res.phase = "signedOut";
  res.timings.signedOut = Date.now() - started;
  let page = await newPage();
  await page.goto(base + "#/pools");
  await page.waitForSelector("#signin");
  res.load = await page.evaluate(() => { const n = performance.getEntriesByType("navigation")[0]; return { domContentLoaded: Math.round(n.domContentLoadedEventEnd), bytes: performance.getEntriesByType("resource").reduce((a, r) => a + r.encodedBodySize, n.encodedBodySize) }; });
  res.signedOut = {
    navHidden: await page.locator("#nav").isHidden(),
    body: await page.locator("body").innerText(),
    calls: res.apiCalls.filter((c) => c.phase === "signedOut").length,
  };
  // Keyboard: the key field has the focus, Tab moves to the secret.
  res.signedOut.focused = await page.evaluate(() => document.activeElement.name);
  await page.keyboard.press("Tab");
  res.signedOut.afterTab = await page.evaluate(() => document.activeElement.name);

  // 2. Wrong keys: the AWS error, not data.
  res.phase = "wrongKeys";
  res.timings.wrongKeys = Date.now() - started;
  await signIn(page, "test", "not-the-secret");
  await page.waitForSelector("#signin-result [role=alert]");
  res.wrongKeys = { error: await text(page, "#signin-result"), body: await page.locator("body").innerText(), navHidden: await page.locator("#nav").isHidden() };

  // 3. Sign in.
  res.phase = "signIn";
  res.timings.signIn = Date.now() - started;
  await signIn(page, "test", "test");
  await page.waitForSelector("#nav a[href='#/pools']");
  await page.waitForSelector("main table");
  const rows = () => page.locator("main tbody tr").count();
  res.signedIn = { body: await page.locator("main").innerText(), who: await text(page, "#who"), rows1: await rows() };
  await shoot(page, "pools");
  await page.click("main button.next");
  await page.waitForFunction(() => document.querySelector("main").innerText.includes("Page 2"));
  res.signedIn.page2 = await page.locator("main").innerText();
  res.signedIn.rows2 = await rows();
  await page.click("text=◀ Previous page");
  await page.waitForFunction(() => document.querySelector("main").innerText.includes("Page 1"));

  // The test's pool has 21 identities: two pages.
  await page.goto(base + "#/pool/" + encodeURIComponent(values["secret-pool"]) + "/identities");
  await page.waitForSelector("main table");
  res.identityRows = [await rows()];
  await page.click("main button.next");
  await page.waitForFunction(() => document.querySelector("main").innerText.includes("Page 2"));
  res.identityRows.push(await rows());
  await page.goto(base + "#/pools");
  await page.waitForSelector("main table");

  // 4. Create a pool with a Google client id.
  res.phase = "create";
  res.timings.create = Date.now() - started;
  await page.click("#create-pool summary");
  await page.fill("#create-pool input[name=IdentityPoolName]", "console_demo");
  await page.check("#create-pool input[name=AllowUnauthenticatedIdentities]");
  await page.check("#create-pool input[name=AllowClassicFlow]");
  await page.fill("#create-pool textarea[name=SupportedLoginProviders]", "accounts.google.com=client-1");
  await page.fill("#create-pool input[name=DeveloperProviderName]", "login.console.dev");
  await page.click("#create-pool button.primary");
  await page.waitForSelector("#created-pool");
  const poolId = await text(page, "#created-pool");
  res.poolId = poolId;
  await page.click("#created-pool");
  await page.waitForSelector("#roles");

  // 5. Roles and a Rules mapping, validated as typed.
  res.phase = "roles";
  res.timings.roles = Date.now() - started;
  await page.fill("#roles input[name=authenticated]", "arn:aws:iam::000000000000:role/user");
  await page.fill("#roles input[name=unauthenticated]", "arn:aws:iam::000000000000:role/guest");
  await page.fill("#roles textarea[name=RoleMappings]", '{"graph.facebook.com": {"Type": "Rules"');
  res.invalidChecks = await text(page, "#mapping-checks");
  await page.fill("#roles textarea[name=RoleMappings]", '{"graph.facebook.com": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}}');
  res.unknownProviderChecks = await text(page, "#mapping-checks");
  await page.click("text=Insert a Rules mapping");
  res.mapping = await page.inputValue("#roles textarea[name=RoleMappings]");
  res.validChecks = await text(page, "#mapping-checks");
  await page.click("#roles button.primary");
  await page.waitForSelector("#roles .ok");
  await shoot(page, "pool");

  // Settings, tags (set, then one removed) and principal tags.
  res.phase = "edit";
  res.timings.edit = Date.now() - started;
  await page.fill("#settings input[name=IdentityPoolName]", "console_demo_2");
  await page.click("#settings button.primary");
  await page.waitForSelector("#settings .ok");
  await page.fill("#tags textarea", "team=console\nstage=test");
  await page.click("#tags button.primary");
  await page.waitForSelector("#tags .ok");
  await page.fill("#tags textarea", "team=console");
  await page.click("#tags button.primary");
  await page.waitForSelector("#tags .ok:text('1 removed')");
  res.tagsSaved = await text(page, "#tags .ok");
  await page.waitForSelector("#principal-tags textarea");
  await page.fill("#principal-tags textarea", "dept=team");
  await page.click("#principal-tags button.primary");
  await page.waitForSelector("#principal-tags .ok");

  // 6. Try logins: a guest and a developer user get credentials that sign
  // STS GetCallerIdentity; a Google login the mapping refuses (its team is
  // not blue) does not.
  res.phase = "try";
  res.timings.try = Date.now() - started;
  const tryURL = base + "#/try?pool=" + encodeURIComponent(poolId);
  const steps = () => page.locator("#try-steps > li").evaluateAll((lis) => lis.map((li) => ({ name: li.dataset.step, text: li.innerText, failed: li.className === "fail" })));
  await page.goto(tryURL);
  await page.click("text=Try it");
  await page.waitForSelector("#try-ok, #try-refused");
  res.guest = { steps: await steps(), ok: await page.locator("#try-ok").count() > 0 };
  await page.goto(tryURL + "&developer=dev-alice");
  await page.click("text=Try it");
  await page.waitForSelector("#try-ok, #try-refused");
  res.developer = { steps: await steps(), ok: await page.locator("#try-ok").count() > 0 };
  await page.goto(base + "#/try?pool=" + encodeURIComponent(poolId) + "&provider=accounts.google.com");
  await page.fill("textarea[name=token]", values.token);
  await page.click("text=Try it");
  await page.waitForSelector("#try-refused");
  const stepSel = "#try-steps li[data-step=GetCredentialsForIdentity]";
  await page.waitForFunction((sel) => { const li = document.querySelector(sel); return li && !li.textContent.includes("Loading the trace"); }, stepSel);
  res.try = {
    refused: await text(page, "#try-refused"),
    steps: await steps(),
    traceUnavailable: await page.locator(stepSel + " .trace-unavailable").count() > 0,
    cause: await page.locator(stepSel + " tr.cause").count() > 0 ? await text(page, stepSel + " tr.cause") : "",
  };
  await shoot(page, "try");

  // 7. The trace view ("why") of the refused call, or the requests page.
  res.phase = "trace";
  res.timings.trace = Date.now() - started;
  if (await page.locator(stepSel + " a:text('Open the full trace')").count() > 0) {
    await page.click(stepSel + " a:text('Open the full trace')");
    await page.waitForSelector("#trace table");
    res.trace = { view: await page.locator("main").innerText(), cause: await page.locator("#trace tr.cause").count() > 0 ? await text(page, "#trace tr.cause") : "" };
  } else {
    await page.goto(base + "#/requests");
    await page.waitForSelector("#requests .trace-unavailable, #requests table");
    res.trace = { view: await page.locator("main").innerText(), cause: "" };
  }
  await shoot(page, "trace");

  // 8. The other pages load without an error.
  res.phase = "pages";
  res.timings.pages = Date.now() - started;
  res.pages = {};
  for (const [name, hash, sel] of [["iam", "#/iam", "main h2"], ["keys", "#/keys", "main table"], ["identities", "#/pool/" + encodeURIComponent(poolId) + "/identities", "main table"],
    ["developers", "#/pool/" + encodeURIComponent(poolId) + "/developers", "main h1"]]) {
    await page.goto(base + hash);
    await page.waitForSelector(sel);
    if (name === "developers") {
      await page.fill("main input[name=DeveloperUserIdentifier]", "dev-alice");
      await page.click("text=Look up");
      await page.waitForSelector("#dev-results table");
    }
    await page.waitForFunction(() => !document.querySelector("main").innerText.includes("⏳"));
    res.pages[name] = await page.locator("main").innerText();
    await a11y(page, name);
  }
  // The decoder opens on the developer user's OpenID token (idpool's own,
  // checked against the JWKS), then takes the minted Google one.
  await page.goto(base + "#/decode");
  await page.waitForFunction(() => !document.querySelector("#decoded").innerText.includes("⏳"));
  res.pages.decodeOwn = await page.locator("#decoded").innerText();
  await page.fill("main textarea", values.token);
  await page.waitForFunction(() => !document.querySelector("#decoded").innerText.includes("⏳"));
  res.pages.decode = await page.locator("#decoded").innerText();
  await shoot(page, "decode");

  // 9. The trace views against the contract of the trace operations,
  // answered here by the browser (page.route) as the traces branch's
  // server will answer them.
  res.phase = "fakeTraces";
  res.timings.fakeTraces = Date.now() - started;
  const fake = fakeTraces(poolId);
  res.fake = { bodies: [] };
  await page.route("**/*", async (route) => {
    const r = route.request();
    const target = r.headers()["x-amz-target"] || "";
    const op = target.replace("IdpoolService.", "");
    if (r.method() !== "POST" || !target.startsWith("IdpoolService.") || !fake[op]) return route.continue();
    const input = JSON.parse(r.postData() || "{}");
    res.fake.bodies.push({ op, input, signed: (r.headers()["authorization"] || "").includes("/cognito-identity/aws4_request") });
    await route.fulfill({ status: 200, contentType: "application/x-amz-json-1.1", headers: { "x-amzn-RequestId": "fake-call" }, body: JSON.stringify(fake[op](input)) });
  });
  await page.goto(base + "#/requests?pool=" + encodeURIComponent(poolId));
  await page.waitForSelector("#requests table");
  res.fake.page1 = await text(page, "#requests");
  await page.click("#requests button.next");
  await page.waitForFunction(() => document.querySelector("#requests").innerText.includes("Page 2"));
  res.fake.page2 = await text(page, "#requests");
  await page.goto(base + "#/trace/fake-req-1");
  await page.waitForSelector("#trace table");
  res.fake.causeRows = await page.locator("#trace tr.cause").count();
  res.fake.cause = await text(page, "#trace tr.cause");
  res.fake.summary = await text(page, "#trace .cause-summary");
  await shoot(page, "trace-view");
  await page.goto(tryURL + "&provider=accounts.google.com");
  await page.fill("textarea[name=token]", values.token);
  await page.click("text=Explain credentials (dry run)");
  await page.waitForSelector("#explain table");
  res.fake.explain = await text(page, "#explain");
  await page.unroute("**/*");

  // 10. Delete the pool the test made, typing its name to confirm.
  res.phase = "delete";
  res.timings.delete = Date.now() - started;
  await page.goto(base + "#/pool/" + encodeURIComponent(values["secret-pool"]));
  await page.waitForSelector("#delete input");
  await page.fill("#delete input", "not its name");
  await page.click("#delete button.danger");
  await page.waitForSelector("#delete [role=alert]");
  res.deleteUnconfirmed = await text(page, "#delete [role=alert]");
  await page.fill("#delete input", values.secret);
  await page.click("#delete button.danger");
  await page.waitForFunction(() => location.hash === "#/pools" && document.querySelector("main table"));
  res.afterDelete = await page.locator("main").innerText();

  // 11. Signing out forgets the keys.
  res.phase = "signOut";
  res.timings.signOut = Date.now() - started;
  await page.click("#signout");
  await page.waitForSelector("#signin");
  await page.goto(base + "#/pools");
  await page.waitForSelector("#signin");
  res.afterSignOut = { calls: res.apiCalls.filter((c) => c.phase === "signOut").length, storage: await page.evaluate(() => localStorage.length + sessionStorage.length + document.cookie.length) };

  // 12. Plain http from a name that is not localhost: no WebCrypto, so the
  // console says it needs a secure context instead of a sign-in form.
  res.phase = "insecure";
  const port = new URL(values.url).port;
  const other = await chromium.launch({ executablePath: values.chromium, args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP console.test 127.0.0.1"] });
  try {
    const p = await other.newPage();
    await p.goto(`http://console.test:${port}/console/`);
    await p.waitForSelector("main [role=alert]", { timeout });
    res.insecure = { text: await p.locator("main").innerText(), signin: await p.locator("#signin").count() };
  } finally {
    await other.close();
  }
  res.timings.end = Date.now() - started;
} catch (e) {
  res.fatal = `${res.phase}: ${e.message}`;
  try { res.fatalMain = await lastPage.locator("main").innerText(); } catch { /* no page */ }
  exitCode = 0;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(res, null, 2) + "\n");
process.exit(exitCode);
