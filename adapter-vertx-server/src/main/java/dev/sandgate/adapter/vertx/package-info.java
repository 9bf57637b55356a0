/**
 * The session broker: a Vert.x Web server that serves any {@link dev.sandgate.ports.SandboxGateway} over the Blaxel
 * sandbox wire protocol, so that the unmodified SDK and the Java client work against it.
 *
 * <pre>
 * Control plane (API key: X-Blaxel-Authorization or Authorization "Bearer key", plus X-Blaxel-Workspace)
 *   POST   /v0/sandboxes[?createIfNotExist=true]      GET /v0/sandboxes                (bare array)
 *   GET    /v0/sandboxes/{sb}    PUT /v0/sandboxes/{sb}    DELETE /v0/sandboxes/{sb}
 *   POST   /v0/sandboxes/{sb}/previews[?force=true]   GET /v0/sandboxes/{sb}/previews  (bare array)
 *   GET|PUT|DELETE /v0/sandboxes/{sb}/previews/{p}
 *   POST|GET /v0/sandboxes/{sb}/previews/{p}/tokens   DELETE /v0/sandboxes/{sb}/previews/{p}/tokens/{t}
 *
 * Data plane, under {base} = /{workspace}/sandboxes/{sb} (API key only) or /s/{sb}/{session preview}
 * (API key, or X-Blaxel-Preview-Token valid for exactly that port-443 preview)
 *   GET {base}/health
 *   POST {base}/process   (NDJSON when Accept: text/event-stream)     GET {base}/process  (bare array)
 *   GET|DELETE {base}/process/{id}   DELETE {base}/process/{id}/kill
 *   GET {base}/process/{id}/logs     GET {base}/process/{id}/logs/stream
 *   GET|PUT|DELETE {base}/filesystem/{path}   (%2F-encoded single segment, or unencoded after '/')
 *
 * Preview proxy: ANY /p/{sb}/{preview}/... to upstreamHost:{preview port}, HTTP and WebSocket; and, with
 *   PreviewPorts other than path, ANY /... on each application preview's own port (PreviewOrigins)
 * Preflight (OPTIONS + Origin + Access-Control-Request-Method) on /s/ and /p/ URLs: 204 without authentication
 * WebSocket upgrades to a private preview: token first (401), then Origin: none, the broker's own, or one the
 * preview's Access-Control-Allow-Origin names (403 otherwise)
 * Every request: Host must name the broker (public URL host; loopback names when bound to loopback), else 421
 * </pre>
 *
 * Start it with {@link dev.sandgate.adapter.vertx.BrokerServer#prepare} then
 * {@link dev.sandgate.adapter.vertx.BrokerServer.Prepared#serve}, or {@link dev.sandgate.adapter.vertx.BrokerServer#start}.
 */
package dev.sandgate.adapter.vertx;
