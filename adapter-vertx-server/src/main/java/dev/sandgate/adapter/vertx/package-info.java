/**
 * The session broker: a Vert.x Web server that serves any {@link dev.sandgate.ports.SandboxGateway} over the Blaxel
 * sandbox wire protocol, so that the unmodified SDK and the Java client work against it.
 *
 * <p>The route table is {@link dev.sandgate.adapter.vertx.BrokerRoutes}; what happens before routing (which router
 * a request reaches, what is refused there) is {@link dev.sandgate.adapter.vertx.HostDispatch}; the wire bodies are
 * {@link dev.sandgate.adapter.vertx.WireJson} and its per-area mappers. Start the broker with
 * {@link dev.sandgate.adapter.vertx.BrokerServer#prepare} then
 * {@link dev.sandgate.adapter.vertx.BrokerServer.Prepared#serve}, or {@link dev.sandgate.adapter.vertx.BrokerServer#start}.
 */
package dev.sandgate.adapter.vertx;
