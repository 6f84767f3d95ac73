// Bundles app.js with esbuild, serves it on a loopback origin, opens it in
// headless Chromium (Debian's, through playwright-core) and prints what the
// page's real AWS clients got from idpool as JSON on stdout.
//
// usage: node run.mjs --endpoint http://127.0.0.1:PORT --pool REGION:ID
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    endpoint: { type: "string" },
    pool: { type: "string" },
    chromium: { type: "string", default: process.env.IDPOOL_TEST_CHROMIUM || "/usr/bin/chromium" },
    timeout: { type: "string", default: "60000" },
  },
});
if (!values.endpoint || !values.pool) {
  console.error("usage: node run.mjs --endpoint URL --pool POOL_ID");
  process.exit(2);
}

const bundle = await esbuild.build({
  entryPoints: [path.join(here, "app.js")],
  bundle: true,
  write: false,
  format: "esm",
  platform: "browser",
  target: "es2020",
  logLevel: "error",
});
const js = bundle.outputFiles[0].text;
const html = `<!doctype html><meta charset="utf-8"><title>idpool browser test</title><script type="module" src="/app.js"></script>`;

const server = http.createServer((req, res) => {
  if (req.url.startsWith("/app.js")) {
    res.writeHead(200, { "content-type": "text/javascript" });
    res.end(js);
    return;
  }
  res.writeHead(200, { "content-type": "text/html" });
  res.end(html);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://localhost:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: values.chromium,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let exitCode = 0;
try {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  const url = `${origin}/?endpoint=${encodeURIComponent(values.endpoint)}&pool=${encodeURIComponent(values.pool)}`;
  await page.goto(url);
  await page.waitForFunction(() => window.__results !== undefined, null, { timeout: Number(values.timeout) });
  const results = await page.evaluate(() => window.__results);
  results.origin = origin;
  results.console = consoleLines;
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
} catch (e) {
  console.error("browser run failed:", e.message);
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
