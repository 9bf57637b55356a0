// The seed flow, driven by the unmodified official @blaxel/core SDK against a Sandgate broker.
//
// Input (environment):
//   BL_API_URL     control plane of the broker, e.g. http://127.0.0.1:8080/v0
//   BL_WORKSPACE   the broker's workspace
//   BL_API_KEY     the broker's API key
//   SANDBOX_NAME   sandbox to use (created if missing; default "seed-flow")
//   APP_PORT       free TCP port for the test web server inside the sandbox (default 3000)
//   PAUSE_AFTER    optional: a step after which the script prints "paused after <step>" and reads one line from its
//                  standard input before going on (a test does something to the broker between two steps)
//
// Output: one line per step, "ok <step>" or "FAIL <step>: <reason>"; exit status 1 if any step failed.

import { existsSync } from "node:fs";

const ORIGIN = "http://example.test";
const STEP_TIMEOUT_MS = 30_000;
const MARKER = "hello from the seed flow";

// --- tiny harness -------------------------------------------------------------------------------------------

const failures = [];

/** Runs one named step; prints "ok <name>" or "FAIL <name>: <reason>". Returns the step's value (undefined on failure). */
async function step(name, fn) {
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    });
    const value = await Promise.race([fn(), timeout]);
    console.log(`ok ${name}`);
    return value;
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}: ${reason(e)}`);
    return undefined;
  } finally {
    clearTimeout(timer);
    if (name === process.env.PAUSE_AFTER) await pause(name);
  }
}

/** Waits for one line on standard input, having said where the flow stands. */
async function pause(name) {
  console.log(`paused after ${name}`);
  await new Promise((resolve) => process.stdin.once("data", resolve));
  process.stdin.pause();
}

function reason(e) {
  if (e instanceof Error) return e.message.split("\n")[0];
  // The control-plane client throws the parsed error body itself.
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** A value an earlier step should have produced; fails this step clearly when that step failed. */
function need(value, what) {
  if (value === undefined || value === null) throw new Error(`skipped: ${what} is missing (an earlier step failed)`);
  return value;
}

/** Polls `probe` every `intervalMs` until it returns a truthy value or `timeoutMs` passes. */
async function eventually(what, probe, { timeoutMs = 10_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? ` (last error: ${reason(last)})` : ""}`);
}

/** Expects `fn` to be refused with one of `statuses`; returns the status seen. */
async function refused(fn, statuses = [401]) {
  let outcome;
  try {
    outcome = await fn();
  } catch (e) {
    const status = e?.status ?? e?.code;
    check(statuses.includes(status), `expected status ${statuses.join(" or ")}, got ${reason(e)}`);
    return status;
  }
  throw new Error(`expected a refusal (${statuses.join(" or ")}), but the call succeeded: ${JSON.stringify(outcome)}`);
}

// --- configuration ------------------------------------------------------------------------------------------

process.env.BL_DISABLE_H2 = "true"; // data-plane traffic must never go to Blaxel's edge (protocol a.4)
process.env.DO_NOT_TRACK ??= "1";
const sandboxName = process.env.SANDBOX_NAME || "seed-flow";
const appPort = Number(process.env.APP_PORT || "3000");
const sessionOptions = () => ({
  expiresAt: new Date(Date.now() + 2 * 60 * 60 * 1000),
  responseHeaders: {
    "Access-Control-Allow-Origin": ORIGIN,
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-Blaxel-Preview-Token",
  },
});

const sdk = await step("environment", async () => {
  for (const name of ["BL_API_URL", "BL_WORKSPACE", "BL_API_KEY"]) {
    check(process.env[name], `${name} is not set`);
  }
  check(Number.isInteger(appPort) && appPort > 0 && appPort < 65536, `APP_PORT '${process.env.APP_PORT}' is not a port`);
  // The SDK prefers ./.env and ./blaxel.toml over the environment (protocol a.1).
  for (const file of [".env", "blaxel.toml"]) {
    check(!existsSync(file), `a ${file} in the working directory would override the environment`);
  }
  // Imported only now, so that the SDK sees the variables when its module is evaluated (protocol a.5).
  return await import("@blaxel/core");
});
if (!sdk) {
  process.exit(1);
}
const { SandboxInstance, ResponseError } = sdk;

// --- control plane: sandbox, sessions, previews -------------------------------------------------------------

const sandbox = await step("sandbox.createIfNotExists", async () => {
  const sb = await SandboxInstance.createIfNotExists({
    name: sandboxName,
    ports: [{ name: "web", target: appPort, protocol: "HTTP" }],
  });
  check(sb.metadata.name === sandboxName, `name is ${sb.metadata.name}`);
  check(sb.status === "DEPLOYED", `status is ${sb.status}`);
  check(sb.metadata.url, "metadata.url is missing");
  return sb;
});

await step("sandbox.createIfNotExists.again", async () => {
  const again = await SandboxInstance.createIfNotExists({
    name: sandboxName,
    ports: [{ name: "web", target: appPort, protocol: "HTTP" }],
  });
  check(again.metadata.name === sandboxName, `name is ${again.metadata.name}`);
});

await step("sandbox.createIfNotExists.concurrent", async () => {
  // Newer SDKs do not retry on 409: every concurrent createIfNotExist must answer 200 with the one sandbox.
  const name = `${sandboxName}-race`;
  const headers = {
    "Content-Type": "application/json",
    "X-Blaxel-Authorization": `Bearer ${process.env.BL_API_KEY}`,
    "X-Blaxel-Workspace": process.env.BL_WORKSPACE,
  };
  const body = JSON.stringify({ metadata: { name }, spec: { runtime: { image: "blaxel/base-image:latest" } } });
  try {
    const answers = await Promise.all(Array.from({ length: 6 }, () =>
      fetch(`${process.env.BL_API_URL}/sandboxes?createIfNotExist=true`, { method: "POST", headers, body })));
    const statuses = answers.map((r) => r.status);
    check(statuses.every((s) => s === 200), `statuses ${statuses.join(", ")}`);
    const names = await Promise.all(answers.map(async (r) => (await r.json()).metadata.name));
    check(names.every((n) => n === name), `names ${names.join(", ")}`);
  } finally {
    await SandboxInstance.delete(name).catch(() => {});
  }
});

await step("sandbox.getByExternalId", async () => {
  const externalId = `seed-${sandboxName}`;
  const other = await SandboxInstance.create({ name: `${sandboxName}-ext`, externalId });
  try {
    const found = await SandboxInstance.getByExternalId(externalId);
    check(found.metadata.name === `${sandboxName}-ext`, `found ${found.metadata.name}`);
    check(found.metadata.externalId === externalId, `externalId is ${found.metadata.externalId}`);
  } finally {
    await SandboxInstance.delete(other.metadata.name);
  }
});

await step("sessions.clear", async () => {
  const sb = need(sandbox, "the sandbox");
  for (const old of await sb.sessions.list()) {
    await sb.sessions.delete(old.name);
  }
  const left = await sb.sessions.list();
  check(left.length === 0, `${left.length} sessions left`);
});

await step("previews.clear", async () => {
  const sb = need(sandbox, "the sandbox");
  for (const old of await sb.previews.list()) {
    await sb.previews.delete(old.name);
  }
  const left = await sb.previews.list();
  check(left.length === 0, `${left.length} previews left`);
});

const firstSession = await step("sessions.create", async () => {
  const sb = need(sandbox, "the sandbox");
  const options = sessionOptions();
  const s = await sb.sessions.create(options);
  check(s.name.startsWith("session-"), `name is ${s.name}`);
  check(/^https?:\/\/[^/]/.test(s.url) && !s.url.endsWith("/"), `url is '${s.url}'`);
  check(typeof s.token === "string" && s.token.length >= 16, "token is missing or short");
  check(s.expiresAt instanceof Date && Math.abs(s.expiresAt.getTime() - options.expiresAt.getTime()) < 1000,
    `expiresAt is ${s.expiresAt}`);
  return s;
});

await step("sessions.list", async () => {
  const sb = need(sandbox, "the sandbox");
  const s = need(firstSession, "the session");
  const listed = await sb.sessions.list();
  const mine = listed.find((x) => x.name === s.name);
  check(mine, `${s.name} is not listed`);
  check(mine.token === s.token, "listed token differs");
  check(mine.url === s.url, "listed url differs");
});

await step("sessions.createIfExpired.reuse", async () => {
  const sb = need(sandbox, "the sandbox");
  const s = need(firstSession, "the session");
  const reused = await sb.sessions.createIfExpired(sessionOptions(), 60_000);
  check(reused.name === s.name, `got ${reused.name}, expected the existing ${s.name}`);
});

const session = await step("sessions.createIfExpired.renew", async () => {
  const sb = need(sandbox, "the sandbox");
  const s = need(firstSession, "the session");
  const renewed = await sb.sessions.createIfExpired(sessionOptions(), 3 * 60 * 60 * 1000);
  check(renewed.name !== s.name, `got the old session ${s.name} back`);
  const names = (await sb.sessions.list()).map((x) => x.name);
  check(!names.includes(s.name), `the replaced session ${s.name} is still listed`);
  check(names.includes(renewed.name), `the new session ${renewed.name} is not listed`);
  return renewed;
});

const publicPreview = await step("previews.create.public", async () => {
  const sb = need(sandbox, "the sandbox");
  const p = await sb.previews.create({
    metadata: { name: "web" },
    spec: { port: appPort, public: true, responseHeaders: { "Access-Control-Allow-Origin": ORIGIN } },
  });
  check(p.name === "web", `name is ${p.name}`);
  check(/^https?:\/\/[^/]/.test(p.spec.url ?? ""), `spec.url is '${p.spec.url}'`);
  check(p.metadata.resourceName === sandboxName, `metadata.resourceName is ${p.metadata.resourceName}`);
  return p;
});

await step("previews.list", async () => {
  const sb = need(sandbox, "the sandbox");
  const names = (await sb.previews.list()).map((p) => p.name);
  check(names.includes("web"), `web is not listed in ${JSON.stringify(names)}`);
});

// --- data plane, with nothing but the session ---------------------------------------------------------------

const browser = await step("fromSession", async () => {
  const s = need(session, "the session");
  return await SandboxInstance.fromSession(s);
});

await step("session.fs.write", async () => {
  const b = need(browser, "the session sandbox");
  await b.fs.write("/seed/hello.txt", MARKER);
});

await step("session.fs.read", async () => {
  const b = need(browser, "the session sandbox");
  const content = await b.fs.read("/seed/hello.txt");
  check(content === MARKER, `read back '${content}'`);
});

await step("session.fs.writeTree", async () => {
  const b = need(browser, "the session sandbox");
  await b.fs.writeTree([{ path: "a.txt", content: "tree A" }, { path: "nested/b.txt", content: "tree B" }],
    "/seed/tree");
  const a = await b.fs.read("/seed/tree/a.txt");
  const nested = await b.fs.read("/seed/tree/nested/b.txt");
  check(a === "tree A" && nested === "tree B", `read back '${a}' and '${nested}'`);
});

await step("session.fs.find", async () => {
  const b = need(browser, "the session sandbox");
  const found = await b.fs.find("/seed", { type: "file", patterns: ["*.txt"] });
  const paths = found.matches.map((m) => `${m.path}:${m.type}`);
  check(paths.includes("/seed/tree/a.txt:file") && paths.includes("/seed/tree/nested/b.txt:file")
    && found.total === found.matches.length, JSON.stringify(found));
});

await step("session.fs.grep", async () => {
  const b = need(browser, "the session sandbox");
  const found = await b.fs.grep("TREE b", "/seed");
  check(found.matches.length === 1 && found.matches[0].path === "/seed/tree/nested/b.txt"
    && found.matches[0].line === 1 && found.matches[0].column === 1, JSON.stringify(found));
});

await step("session.fs.watch", async () => {
  const b = need(browser, "the session sandbox");
  await b.fs.mkdir("/seed/watched");
  const seen = [];
  const handle = b.fs.watch("/seed/watched", (event) => { seen.push(event); });
  try {
    // the SDK starts watching asynchronously: write until a change is reported, within a deadline
    const deadline = Date.now() + 10000;
    for (let i = 0; !seen.some((e) => e.name.startsWith("w-")) && Date.now() < deadline; i++) {
      await b.fs.write(`/seed/watched/w-${i}.txt`, "x");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    check(seen.some((e) => e.name.startsWith("w-") && e.path === "/seed/watched"
      && (e.op === "CREATE" || e.op === "WRITE")), JSON.stringify(seen));
  } finally {
    handle.close();
  }
});

await step("session.process.exec.waitForPorts", async () => {
  const b = need(browser, "the session sandbox");
  const p = await b.process.exec({
    name: "web",
    command: `python3 -m http.server ${appPort}`,
    workingDir: "/",
    env: { PYTHONUNBUFFERED: "1" },
    waitForPorts: [appPort],
  });
  check(p.status === "running", `status is ${p.status}`);
  check(p.pid, "pid is missing");
  check(p.name === "web", `name is ${p.name}`);
});

await step("session.process.stdin", async () => {
  const b = need(browser, "the session sandbox");
  const p = await b.process.exec({ name: "reader", command: "cat", stdin: true });
  await b.process.writeStdin(p.pid, "line one\n");
  await b.process.writeStdin(p.pid, "line two\n");
  await b.process.closeStdin(p.pid);
  await b.process.wait(p.pid, { maxWait: 10000, interval: 100 });
  const out = await b.process.logs(p.pid, "stdout");
  check(out === "line one\nline two\n", `read back '${out}'`);
});

await step("session.process.list", async () => {
  const b = need(browser, "the session sandbox");
  const all = await b.process.list();
  check(Array.isArray(all), "not an array");
  check(all.some((p) => p.name === "web" && p.status === "running"), "web is not listed as running");
});

await step("session.process.get", async () => {
  const b = need(browser, "the session sandbox");
  const p = await b.process.get("web");
  check(p.name === "web" && p.status === "running", `got ${p.name} ${p.status}`);
});

await step("preview.fetch.public", async () => {
  const p = need(publicPreview, "the public preview");
  const res = await fetch(`${p.spec.url}/seed/hello.txt`);
  check(res.status === 200, `status ${res.status}`);
  const body = await res.text();
  check(body === MARKER, `body is '${body.slice(0, 80)}'`);
  const acao = res.headers.get("access-control-allow-origin");
  check(acao === ORIGIN, `Access-Control-Allow-Origin is ${acao}`);
  const listing = await fetch(`${p.spec.url}/`);
  check(listing.status === 200, `directory listing status ${listing.status}`);
  check((await listing.text()).includes("Directory listing"), "the root is not http.server's directory listing");
});

await step("session.process.logs", async () => {
  const b = need(browser, "the session sandbox");
  const logs = await eventually("the request log line", async () => {
    const all = await b.process.logs("web");
    return all.includes("GET /seed/hello.txt") ? all : undefined;
  });
  check(logs.includes("Serving HTTP"), "the start-up line is missing");
});

await step("session.process.streamLogs", async () => {
  const b = need(browser, "the session sandbox");
  const lines = [];
  const errors = [];
  const stream = b.process.streamLogs("web", {
    onLog: (line) => lines.push(line),
    onError: (e) => errors.push(e),
  });
  try {
    await eventually("a streamed line", async () => {
      if (errors.length) throw errors[0];
      return lines.length > 0;
    });
  } finally {
    stream.close();
  }
  check(lines.some((l) => l.includes("Serving HTTP") || l.includes("GET /")), `unexpected lines ${JSON.stringify(lines)}`);
});

await step("session.process.exec.waitForCompletion", async () => {
  const b = need(browser, "the session sandbox");
  const p = await b.process.exec({ command: "echo hello-from-session; echo err-line 1>&2", waitForCompletion: true });
  check(p.status === "completed", `status is ${p.status}`);
  check(p.exitCode === 0, `exitCode is ${p.exitCode}`);
  check((p.logs ?? "").includes("hello-from-session"), `logs are '${p.logs}'`);
  check((p.stderr ?? "").includes("err-line"), `stderr is '${p.stderr}'`);
});

await step("session.process.exec.streaming", async () => {
  const b = need(browser, "the session sandbox");
  const seen = [];
  const p = await b.process.exec({
    command: "echo streamed-one; echo streamed-two",
    waitForCompletion: true,
    onLog: (line) => seen.push(line),
  });
  check(p.status === "completed", `status is ${p.status}`);
  check(seen.some((l) => l.includes("streamed-two")), `callbacks saw ${JSON.stringify(seen)}`);
});

await step("session.process.exec.clientNamed.lostAnswer", async () => {
  // Newer SDKs name a process themselves (process-<uuid>) and never retry a failed exec POST: after an answer is
  // lost, the name alone must find the process.
  const s = need(session, "the session");
  const name = `process-${crypto.randomUUID()}`;
  const lost = await fetch(`${s.url}/process`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Blaxel-Preview-Token": s.token },
    body: JSON.stringify({ name, command: "sleep 2; echo client-named", waitForCompletion: true }),
    signal: AbortSignal.timeout(300),
  }).then(() => "answered", (e) => e.name);
  check(lost === "TimeoutError", `the exec was ${lost}, not cut short`);
  const get = () => fetch(`${s.url}/process/${name}`, { headers: { "X-Blaxel-Preview-Token": s.token } });
  const first = await get();
  check(first.status === 200, `GET /process/${name} right after the lost answer: ${first.status}`);
  const p = await first.json();
  check(p.name === name, `name is ${p.name}`);
  await eventually("the client-named process completes", async () => {
    const done = await (await get()).json();
    return done.status === "completed";
  });
  const logs = await (await fetch(`${s.url}/process/${name}/logs`, { headers: { "X-Blaxel-Preview-Token": s.token } })).json();
  check(JSON.stringify(logs).includes("client-named"), `logs are ${JSON.stringify(logs).slice(0, 120)}`);
});

// --- a private preview and its tokens -----------------------------------------------------------------------

const privatePreview = await step("previews.create.private", async () => {
  const sb = need(sandbox, "the sandbox");
  const p = await sb.previews.create({
    metadata: { name: "web-private" },
    spec: { port: appPort, public: false, responseHeaders: { "Access-Control-Allow-Origin": ORIGIN } },
  });
  check(p.spec.public === false, `spec.public is ${p.spec.public}`);
  return p;
});

const previewToken = await step("preview.tokens.create", async () => {
  const p = need(privatePreview, "the private preview");
  const t = await p.tokens.create(new Date(Date.now() + 10 * 60 * 1000));
  check(t.value && t.value.length >= 16, "token value is missing or short");
  check(!Number.isNaN(new Date(t.expiresAt).getTime()), `expiresAt is ${t.expiresAt}`);
  check(t.expired === false, `expired is ${t.expired}`);
  return t;
});

await step("preview.fetch.private.withoutToken", async () => {
  const p = need(privatePreview, "the private preview");
  const res = await fetch(`${p.spec.url}/seed/hello.txt`);
  check(res.status === 401, `status ${res.status}`);
});

await step("preview.fetch.private.withToken", async () => {
  const p = need(privatePreview, "the private preview");
  const t = need(previewToken, "the preview token");
  const res = await fetch(`${p.spec.url}/seed/hello.txt`, { headers: { "X-Blaxel-Preview-Token": t.value } });
  check(res.status === 200, `status ${res.status}`);
  const body = await res.text();
  check(body === MARKER, `body is '${body.slice(0, 80)}'`);
});

await step("preview.fetch.private.withQueryToken", async () => {
  // Node's fetch keeps no cookies: the query form must answer this very request, not redirect to a cookie
  const p = need(privatePreview, "the private preview");
  const t = need(previewToken, "the preview token");
  const res = await fetch(`${p.spec.url}/seed/hello.txt?bl_preview_token=${encodeURIComponent(t.value)}`,
    { redirect: "manual" });
  check(res.status === 200, `status ${res.status}`);
  const body = await res.text();
  check(body === MARKER, `body is '${body.slice(0, 80)}'`);
  check(res.headers.get("referrer-policy") === "no-referrer", `Referrer-Policy is ${res.headers.get("referrer-policy")}`);
});

await step("preview.tokens.list", async () => {
  const p = need(privatePreview, "the private preview");
  const t = need(previewToken, "the preview token");
  const listed = await p.tokens.list();
  check(listed.some((x) => x.value === t.value), "the token is not listed");
});

await step("preview.tokens.delete", async () => {
  const p = need(privatePreview, "the private preview");
  const t = need(previewToken, "the preview token");
  await p.tokens.delete(t.previewToken.metadata.name);
  const res = await fetch(`${p.spec.url}/seed/hello.txt`, { headers: { "X-Blaxel-Preview-Token": t.value } });
  check(res.status === 401, `a deleted token still gets status ${res.status}`);
  check(!(await p.tokens.list()).some((x) => x.value === t.value), "the deleted token is still listed");
});

// --- stopping and killing processes -------------------------------------------------------------------------

await step("session.process.stop", async () => {
  const b = need(browser, "the session sandbox");
  await b.process.stop("web");
  await eventually("status stopped", async () => (await b.process.get("web")).status === "stopped");
});

await step("session.process.kill", async () => {
  const b = need(browser, "the session sandbox");
  const p = await b.process.exec({ name: "sleeper", command: "sleep 300" });
  check(p.status === "running", `status is ${p.status}`);
  await b.process.kill("sleeper");
  await eventually("status killed", async () => (await b.process.get("sleeper")).status === "killed");
});

// --- sessions that must be refused --------------------------------------------------------------------------

await step("session.wrongToken.refused", async () => {
  const s = need(session, "the session");
  const wrong = await SandboxInstance.fromSession({ ...s, token: "not-the-token-0123456789abcdef" });
  try {
    await wrong.process.list();
  } catch (e) {
    check(e instanceof ResponseError, `not a ResponseError: ${reason(e)}`);
    check(e.status === 401, `status is ${e.status}`);
    return;
  }
  throw new Error("a wrong token was accepted");
});

await step("session.expired.refused", async () => {
  const sb = need(sandbox, "the sandbox");
  const expiresAt = new Date(Date.now() + 2_000);
  const shortLived = await sb.sessions.create({ expiresAt });
  const b = await SandboxInstance.fromSession(shortLived);
  // Wait until the clock is past the expiry: a polling loop with a deadline.
  await eventually("the session's expiry", async () => Date.now() > expiresAt.getTime() + 50, {
    timeoutMs: 10_000,
    intervalMs: 100,
  });
  await refused(() => b.process.list(), [401]);
  await sb.sessions.delete(shortLived.name);
});

await step("session.deleted.refused", async () => {
  const sb = need(sandbox, "the sandbox");
  const doomed = await sb.sessions.create(sessionOptions());
  const b = await SandboxInstance.fromSession(doomed);
  const before = await b.process.list();
  check(Array.isArray(before), "the session did not work before it was deleted");
  await sb.sessions.delete(doomed.name);
  await refused(() => b.process.list(), [401, 403, 404]);
});

// --- done ---------------------------------------------------------------------------------------------------

if (failures.length > 0) {
  console.log(`${failures.length} step(s) failed: ${failures.join(", ")}`);
  process.exit(1);
}
console.log("all steps passed");
process.exit(0);
