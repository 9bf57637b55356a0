// The app's module, loaded by the root-absolute path /src/main.js. The greeting comes from ./greeting.js and is
// replaced in place when that file changes (hot module replacement over Vite's WebSocket): the page is not reloaded.
import "./style.css";
import { greeting } from "./greeting.js";

const el = (id) => document.getElementById(id);

function render(text) {
  el("greeting").textContent = text;
}

render(greeting);
el("module").textContent = "Loaded /src/main.js by its root-absolute path";

if (import.meta.hot) {
  import.meta.hot.accept("./greeting.js", (next) => {
    // An editor's save may arrive as an empty file first: keep the old text until the new one is there.
    if (next && typeof next.greeting === "string") {
      render(next.greeting);
      document.body.dataset.hotUpdates = String(Number(document.body.dataset.hotUpdates || 0) + 1);
    }
  });
  // A round trip over the HMR WebSocket (vite.config.js answers it): proof that the socket is connected.
  import.meta.hot.on("sandgate:pong", () => {
    el("hmr").textContent = "hot reload: connected";
    document.body.classList.add("hmr-connected");
  });
  import.meta.hot.on("vite:ws:disconnect", () => {
    el("hmr").textContent = "hot reload: disconnected";
    document.body.classList.remove("hmr-connected");
  });
  import.meta.hot.send("sandgate:ping", { at: Date.now() });
}
