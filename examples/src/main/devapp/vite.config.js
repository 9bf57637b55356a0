// The dev server the example's page starts in the sandbox with `npm run dev`.
//
// It listens on 127.0.0.1 (the broker's preview proxy forwards there with the Host header 127.0.0.1:<port>, which
// Vite's `server.allowedHosts` check accepts as it is, so the default stays on) and on port 3000, or PORT when the
// example runs the app on another port; `strictPort` makes a taken port fail the start instead of moving silently.
// The page loads its module by a root-absolute path, and the HMR client connects back to the origin the page came
// from, which is the preview's own origin: both go through the preview proxy.
import { defineConfig } from "vite";

/** Answers the page's `sandgate:ping` over the HMR WebSocket: the page shows that its socket really works. */
function pingOverHmr() {
  return {
    name: "sandgate-ping",
    configureServer(server) {
      server.ws.on("sandgate:ping", (data, client) => client.send("sandgate:pong", data));
    },
  };
}

export default defineConfig({
  server: {
    host: "127.0.0.1",
    port: Number(process.env.PORT) || 3000,
    strictPort: true,
  },
  clearScreen: false,
  plugins: [pingOverHmr()],
});
