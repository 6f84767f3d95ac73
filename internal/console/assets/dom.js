// DOM helpers: elements are built with h(), never from HTML strings, so
// nothing a server or a token says can become markup.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === "text") el.textContent = v;
    else if (k === "class") el.className = v;
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, kids);
  return el;
}

export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false || k === "") continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

export function clear(el, ...kids) {
  el.replaceChildren();
  return append(el, kids);
}

// Markers: a state always reads as text, colour only helps.
export const MARK = { ok: "✓", pass: "✓", fail: "✗", refused: "✗", error: "⚠", info: "ℹ", warn: "⚠", cause: "◀ cause" };

// errorBox shows an API error as AWS sent it: its type, message, request id.
export function errorBox(err, prefix) {
  const rid = err && err.requestId ? h("span", { class: "mono" }, " (request id ", err.requestId, ")") : null;
  return h("div", { class: "error", role: "alert" },
    h("span", { class: "marker" }, "✗ "), prefix ? prefix + ": " : "",
    h("strong", {}, err.type || err.name || "Error"), ": ", err.message || String(err), rid);
}

// field is a labelled input; opts: {type, value, hint, textarea, required, placeholder, autocomplete}.
let ids = 0;
export function field(label, opts = {}) {
  const id = "f" + ++ids;
  const hintId = opts.hint ? id + "h" : null;
  const attrs = { id, name: opts.name || id, placeholder: opts.placeholder, required: opts.required, autocomplete: opts.autocomplete || "off",
    "aria-describedby": hintId, spellcheck: "false", class: opts.tall ? "tall" : null, list: opts.list };
  const input = opts.textarea ? h("textarea", attrs) : h("input", { type: opts.type || "text", ...attrs });
  if (opts.type === "checkbox") {
    input.checked = !!opts.value;
    return { el: h("div", {}, h("label", { class: "inline", for: id }, input, label), opts.hint ? h("p", { class: "hint", id: hintId }, opts.hint) : null), input };
  }
  input.value = opts.value ?? "";
  return { el: h("div", {}, h("label", { for: id }, label), input, opts.hint ? h("p", { class: "hint", id: hintId }, opts.hint) : null), input };
}

// busyButton runs fn while the button says it is working; errors land in out.
export function busyButton(label, cls, fn, out) {
  const b = h("button", { type: "button", class: cls });
  b.textContent = label;
  b.addEventListener("click", async () => {
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
    b.textContent = "⏳ " + label + "…";
    if (out) clear(out);
    try { await fn(); } catch (e) { if (out) clear(out, errorBox(e)); else throw e; }
    finally { b.disabled = false; b.removeAttribute("aria-busy"); b.textContent = label; }
  });
  return b;
}

// table renders rows; on a phone each row becomes a card whose cells are
// labelled by their column (CSS), so the ARIA roles keep it a table.
export function table(columns, rows, rowClass) {
  return h("div", { class: "scroll" }, h("table", { role: "table" },
    h("thead", {}, h("tr", { role: "row" }, columns.map((c) => h("th", { scope: "col", role: "columnheader" }, c.title)))),
    h("tbody", {}, rows.length === 0 ? h("tr", { role: "row" }, h("td", { colspan: String(columns.length), class: "note", role: "cell" }, "None.")) :
      rows.map((r) => h("tr", { class: rowClass ? rowClass(r) : null, role: "row" },
        columns.map((c) => h("td", { class: c.mono ? "mono" : null, role: "cell", "data-label": c.title }, c.cell(r))))))));
}

export function facts(obj) {
  const entries = Object.entries(obj || {});
  if (entries.length === 0) return "";
  return h("dl", { class: "facts" }, entries.map(([k, v]) =>
    [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : JSON.stringify(v))]));
}

export function when(epoch) {
  if (epoch === undefined || epoch === null || epoch === "") return "";
  const d = typeof epoch === "number" ? new Date(epoch * 1000) : new Date(epoch);
  return isNaN(d) ? String(epoch) : d.toISOString().replace(".000Z", "Z");
}

// pager shows one page of a NextToken list at a time: load(token) resolves
// to {rows, next}; render(rows) builds the page (rows null: there is no
// list, and render says why).
export function pager(load, render) {
  const out = h("div", {});
  const tokens = [undefined];
  let page = 0;
  async function show() {
    clear(out, h("p", { class: "note" }, "⏳ Loading page ", String(page + 1), "…"));
    try {
      const { rows, next } = await load(tokens[page]);
      if (rows === null) { clear(out, render(rows)); return; } // nothing to page through
      tokens.length = page + 1;
      if (next) tokens.push(next);
      const nav = h("div", { class: "pager" },
        h("span", {}, "Page ", String(page + 1)),
        page > 0 ? h("button", { type: "button", on: { click: () => { page--; show(); } } }, "◀ Previous page") : null,
        next ? h("button", { type: "button", class: "next", on: { click: () => { page++; show(); } } }, "Next page ▶") : null);
      clear(out, render(rows), nav);
    } catch (e) {
      clear(out, errorBox(e));
    }
  }
  out.reload = () => { tokens.length = 1; page = 0; return show(); };
  show();
  return out;
}
