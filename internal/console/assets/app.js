// The console's shell: sign-in, navigation, the progress line and a hash
// router (#/pools, #/pool/ID, ...). A signed-out browser only ever gets the
// sign-in form, whatever the address says.
import { h, clear, field, errorBox } from "./dom.js";
import { onProgress } from "./api.js";
import { signedIn, signIn, signOut, state, cog, sts } from "./session.js";
import { poolsPage, poolPage, identitiesPage, developersPage } from "./pools.js";
import { iamPage, keysPage } from "./iam.js";
import { requestsPage, tracePage, decodePage, tryPage } from "./traces.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const progress = document.getElementById("progress");

const sections = [
  ["#/pools", "Pools"], ["#/iam", "IAM roles & providers"], ["#/keys", "Signing keys"],
  ["#/requests", "Recent requests"], ["#/try", "Try a login"], ["#/decode", "Token decoder"],
];

// Progress: every call in flight is named with its elapsed time.
const inflight = new Map();
let ticker = 0;
function drawProgress() {
  if (inflight.size === 0) {
    progress.className = "progress";
    progress.textContent = "";
    clearInterval(ticker);
    ticker = 0;
    return;
  }
  const now = performance.now();
  progress.className = "progress busy";
  progress.textContent = "⏳ " + Array.from(inflight.values(), (c) => `${c.label} ${((now - c.t) / 1000).toFixed(1)} s`).join(", ") + "…";
}
onProgress((ev) => {
  if (ev.state === "start") inflight.set(ev.id, { label: ev.label, t: performance.now() });
  else inflight.delete(ev.id);
  if (inflight.size && !ticker) ticker = setInterval(drawProgress, 200);
  drawProgress();
});

function signInPage(wanted) {
  nav.hidden = true;
  clear(who);
  if (!window.isSecureContext || !window.crypto || !crypto.subtle) {
    // Browsers give WebCrypto, and so the signer, to secure contexts only.
    clear(main, h("div", { class: "card signin error", role: "alert" }, h("h1", {}, "The console needs a secure context"),
      h("p", {}, "This browser offers WebCrypto, which signs the console's requests, only to pages served over https or from localhost (127.0.0.1). ",
        "Put idpool behind TLS, or reach it through an SSH tunnel to localhost.")));
    return;
  }
  const key = field("Access key ID", { required: true, autocomplete: "username", name: "accessKeyId" });
  const secret = field("Secret access key", { type: "password", required: true, autocomplete: "current-password", name: "secretAccessKey" });
  const region = field("Region", { value: state.region, required: true, name: "region",
    hint: "Pools are listed for this region; a pool's own calls use the region its id names." });
  const out = h("div", { id: "signin-result", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "card signin", id: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h("p", { class: "hint" }, "Your keys stay in this tab's memory and are only used to sign requests (SigV4) to this server. Reloading the page signs you out."),
    key.el, secret.el, region.el, h("div", { class: "row" }, submit), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    submit.textContent = "⏳ Signing in…";
    clear(out);
    const r = region.input.value.trim();
    signIn(key.input.value.trim(), secret.input.value, r);
    try {
      // The keys are good when the wire takes a signed call with them.
      await cog("ListIdentityPools", { MaxResults: 1 });
      try { state.account = (await sts("GetCallerIdentity")).data.Account || ""; } catch { state.account = ""; }
      secret.input.value = "";
      go(wanted && wanted !== "#/signin" ? wanted : "#/pools");
    } catch (e) {
      signOut();
      clear(out, errorBox(e, "Sign-in refused"));
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
  clear(main, form);
  key.input.focus();
}

function drawNav(hash) {
  nav.hidden = false;
  clear(nav, sections.map(([href, label]) =>
    h("a", { href, "aria-current": hash.startsWith(href) ? "page" : null }, label)));
  clear(who, h("span", {}, "Account ", h("span", { class: "mono" }, state.account || "?"), " · key ",
    h("span", { class: "mono" }, state.accessKeyId), " · ", state.region),
  h("button", { type: "button", id: "signout", on: { click: () => { signOut(); go("#/signin"); } } }, "Sign out"));
}

const routes = [
  [/^#\/pools$/, () => poolsPage()],
  [/^#\/pool\/([^/]+)$/, (id) => poolPage(id)],
  [/^#\/pool\/([^/]+)\/identities$/, (id) => identitiesPage(id)],
  [/^#\/pool\/([^/]+)\/developers$/, (id) => developersPage(id)],
  [/^#\/iam$/, () => iamPage()],
  [/^#\/keys$/, () => keysPage()],
  [/^#\/requests(?:\?(.*))?$/, (q) => requestsPage(new URLSearchParams(q || ""))],
  [/^#\/trace\/([^/]+)$/, (rid) => tracePage(rid)],
  [/^#\/decode$/, () => decodePage()],
  [/^#\/try(?:\?(.*))?$/, (q) => tryPage(new URLSearchParams(q || ""))],
];

// go shows the page at hash (once: setting a new hash fires hashchange).
export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  const hash = location.hash || "#/pools";
  if (!signedIn()) {
    signInPage(hash);
    return;
  }
  drawNav(hash);
  for (const [re, page] of routes) {
    const m = re.exec(hash);
    if (m) {
      const el = page(...m.slice(1).map((s) => (s === undefined ? s : decodeURIComponent(s))));
      clear(main, el);
      main.focus({ preventScroll: true });
      return;
    }
  }
  clear(main, h("h1", {}, "Not found"), h("p", {}, "No console page at ", h("code", {}, hash), ". ", h("a", { href: "#/pools" }, "Pools")));
}

window.addEventListener("hashchange", route);
route();
