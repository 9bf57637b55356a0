// The example page. It receives a session from its backend and drives the sandbox with the official
// @blaxel/core browser build; it never sees the API key, and every SDK call goes to session.url only.
import { SandboxInstance } from "@blaxel/core";

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
  const rows = (list || [])
    .slice()
    .sort((a, b) => (Date.parse(b.startedAt) || 0) - (Date.parse(a.startedAt) || 0) || Number(b.pid) - Number(a.pid))
    .map(processRow);
  if (rows.length === 0) {
    const empty = document.createElement("tr");
    empty.className = "empty";
    empty.innerHTML = '<td colspan="6">No processes yet: start the dev server.</td>';
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

function previewPlaceholder() {
  ui.frame.srcdoc = '<p style="font:14px system-ui,sans-serif;color:#59636e;text-align:center;margin-top:40vh">'
    + "Start the dev server to see its page here.</p>";
}

function devServerRunning() {
  return ui.processes.querySelector('tr[data-name="dev-server"][data-status="running"]') !== null;
}

async function startDevServer() {
  ui.start.disabled = true;
  say("Starting the dev server…");
  try {
    await sandbox.process.exec({
      name: "dev-server",
      command: `python3 -m http.server ${appPort} --bind 127.0.0.1`,
      workingDir: "/",
      waitForPorts: [appPort],
    });
    await refreshProcesses();
    reloadPreview();
    say(`Dev server listening on port ${appPort}.`);
  } catch (error) {
    say(`Could not start the dev server: ${describe(error)}`, true);
    await refreshProcesses().catch(() => {});
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

connect()
  .then(refreshProcesses)
  .then(() => {
    if (devServerRunning()) reloadPreview(); else previewPlaceholder();
    say("Connected with a session.");
    document.body.dataset.ready = "true";
  })
  .catch((error) => say(`Could not connect: ${describe(error)}`, true));
