// The example page. It receives a session from its backend and drives the sandbox with the official
// @blaxel/core browser build; it never sees the API key, and every SDK call goes to session.url only.
// On load it does what the seed's fetchSandbox/initializeSandbox do: list the processes and, when the dev server
// is not among them running, start it (`npm run dev` in /blaxel/app, waiting for its port) without a click.
import { SandboxInstance } from "@blaxel/core";

const DEV_SERVER = "dev-server";
const APP_DIR = "/blaxel/app";
const DEV_COMMAND = "npm run dev";

const el = (id) => document.getElementById(id);
const ui = {
  refresh: el("refresh"),
  start: el("start-dev-server"),
  previewUrl: el("preview-url"),
  sessionName: el("session-name"),
  processes: el("process-list"),
  message: el("message"),
  frame: el("preview-frame"),
  previewRefresh: el("preview-refresh"),
};

let sandbox = null;
let previewUrl = null;
let appPort = null;

function say(text, isError = false) {
  ui.message.textContent = text;
  ui.message.classList.toggle("error", isError);
}

function describe(error) {
  return error && error.message ? error.message : String(error);
}

async function connect() {
  const response = await fetch("/api/sandbox", { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.error || `the backend answered ${response.status}`);
  }
  previewUrl = body.preview_url;
  appPort = body.app_port;
  sandbox = await SandboxInstance.fromSession(body.session);
  ui.sessionName.textContent = body.session.name;
  ui.previewUrl.textContent = previewUrl;
  ui.previewUrl.href = previewUrl;
  for (const button of [ui.refresh, ui.start, ui.previewRefresh]) {
    button.disabled = false;
  }
}

function processRow(p) {
  const row = document.createElement("tr");
  row.dataset.pid = p.pid;
  row.dataset.name = p.name;
  row.dataset.status = p.status;

  const dot = document.createElement("span");
  dot.className = `dot ${p.status}`;
  dot.title = p.status;
  const cells = [dot, p.name, p.command, p.pid, p.status];
  const classes = ["", "name", "command", "pid", "status"];
  cells.forEach((content, i) => {
    const td = document.createElement("td");
    if (classes[i]) td.className = classes[i];
    if (content instanceof Node) td.append(content); else td.textContent = content ?? "";
    row.append(td);
  });

  const actions = document.createElement("td");
  actions.className = "actions";
  const running = p.status === "running";
  for (const [label, action, extra] of [["Stop", "stop", ""], ["Kill", "kill", "danger"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.className = `${action} ${extra}`.trim();
    button.disabled = !running;
    button.addEventListener("click", () => act(action, p));
    actions.append(button);
  }
  row.append(actions);
  return row;
}

async function refreshProcesses() {
  const list = await sandbox.process.list();
  showProcesses(list);
  return list || [];
}

function showProcesses(list) {
  const rows = (list || [])
    .slice()
    .sort((a, b) => (Date.parse(b.startedAt) || 0) - (Date.parse(a.startedAt) || 0) || Number(b.pid) - Number(a.pid))
    .map(processRow);
  if (rows.length === 0) {
    const empty = document.createElement("tr");
    empty.className = "empty";
    empty.innerHTML = '<td colspan="6">No processes yet.</td>';
    rows.push(empty);
  }
  ui.processes.replaceChildren(...rows);
  document.body.dataset.refreshedAt = String(Date.now());
}

function reloadPreview() {
  // A fresh query string, so the browser asks the dev server again instead of reusing a cached page.
  const url = new URL(previewUrl);
  url.searchParams.set("_", String(Date.now()));
  ui.frame.removeAttribute("srcdoc");
  ui.frame.src = url.toString();
}

function previewPlaceholder(text) {
  const p = document.createElement("p");
  p.style.cssText = "font:14px system-ui,sans-serif;color:#59636e;text-align:center;margin-top:40vh";
  p.textContent = text;
  ui.frame.srcdoc = p.outerHTML;
}

function devServerRunning(list) {
  return list.some((p) => p.name === DEV_SERVER && p.status === "running");
}

async function startDevServer() {
  ui.start.disabled = true;
  say("Starting the dev server…");
  try {
    // PORT tells the app's vite.config.js which port to listen on (3000 unless the example was given another).
    await sandbox.process.exec({
      name: DEV_SERVER,
      command: DEV_COMMAND,
      workingDir: APP_DIR,
      env: { PORT: String(appPort) },
      waitForPorts: [appPort],
    });
    await refreshProcesses();
    reloadPreview();
    say(`Dev server listening on port ${appPort}.`);
  } catch (error) {
    say(`Could not start the dev server: ${describe(error)}`, true);
    const list = await refreshProcesses().catch(() => []);
    if (!devServerRunning(list)) previewPlaceholder("The dev server is not running: press Start dev server.");
  } finally {
    ui.start.disabled = false;
  }
}

async function act(action, p) {
  say(`${action === "stop" ? "Stopping" : "Killing"} ${p.name}…`);
  try {
    await sandbox.process[action](p.pid);
    await refreshProcesses();
    say(`${p.name} ${action === "stop" ? "stopped" : "killed"}.`);
  } catch (error) {
    say(`Could not ${action} ${p.name}: ${describe(error)}`, true);
    await refreshProcesses().catch(() => {});
  }
}

ui.start.addEventListener("click", startDevServer);
ui.refresh.addEventListener("click", () => {
  say("Refreshing…");
  refreshProcesses().then(() => say("Refreshed."), (error) => say(describe(error), true));
});
ui.previewRefresh.addEventListener("click", reloadPreview);

// The seed's initializeSandbox: connect, look for the dev server, start it when it is not running.
async function initialize() {
  await connect();
  const list = await refreshProcesses();
  if (devServerRunning(list)) {
    reloadPreview();
    say("Connected with a session; the dev server is running.");
  } else {
    previewPlaceholder("Starting the dev server…");
    await startDevServer();
  }
  document.body.dataset.ready = "true";
}

initialize().catch((error) => say(`Could not connect: ${describe(error)}`, true));
