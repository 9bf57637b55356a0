package dev.sandgate.adapter.vertx;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The operators' listener, apart from the broker's: {@code /healthz}, {@code /readyz} (as on the broker's listener)
 * and {@code /metrics} in Prometheus's text format ({@link BrokerMetrics}). It asks for no credential, so it belongs
 * on loopback (the default host) or a network only operators reach; the broker's own listener never serves
 * {@code /metrics}. Anything else gets 404.
 */
public final class AdminServer implements AutoCloseable {
    /** Prometheus's text exposition format. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(HttpServer server) {
        this.server = server;
    }

    /** Binds {@code host:port} (0: any free port), serving {@code broker}'s probes and metrics; blocks until bound. */
    public static AdminServer start(Vertx vertx, String host, int port, BrokerServer broker) {
        Objects.requireNonNull(vertx, "vertx must not be null");
        Objects.requireNonNull(host, "host must not be null");
        Objects.requireNonNull(broker, "broker must not be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port " + port + " is out of range 0-65535");
        }
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("AdminServer.start blocks until bound: call it off the event loop");
        }
        HealthRoutes health = broker.health();
        java.util.Optional<BrokerMetrics> metrics = broker.monitoring().metrics();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                .setIdleTimeout(60).setMaxHeaderSize(8 * 1024).setMaxInitialLineLength(4 * 1024)
                .setHttp2ClearTextEnabled(false));
        server.requestHandler(request -> {
            if (health.handle(request)) {
                return;
            }
            if ("/metrics".equals(request.path()) && metrics.isPresent()) {
                metrics(vertx, request, metrics.get());
                return;
            }
            request.response().setStatusCode(404).putHeader("Content-Type", Exchange.JSON)
                    .end(ApiError.ofStatus(404).controlBody().encode());
        });
        await(server.listen(), "bind the admin listener on " + host + ":" + port);
        return new AdminServer(server);
    }

    private static void metrics(Vertx vertx, HttpServerRequest request, BrokerMetrics metrics) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().setStatusCode(405).putHeader("Allow", "GET, HEAD")
                    .putHeader("Content-Type", Exchange.JSON).end(ApiError.ofStatus(405).controlBody().encode());
            return;
        }
        request.pause();
        // the per-node gauges read the gateway, which may block: scrape on a worker
        vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
            Exchange.resume(request);
            if (ar.failed()) {
                request.response().setStatusCode(503).putHeader("Content-Type", Exchange.JSON)
                        .end(ApiError.ofStatus(503).controlBody().encode());
                return;
            }
            request.response().setStatusCode(200).putHeader("Content-Type", PROMETHEUS_TEXT)
                    .putHeader("Cache-Control", "no-store")
                    .end(request.method() == HttpMethod.HEAD ? "" : ar.result());
        });
    }

    public int actualPort() {
        return server.actualPort();
    }

    /** Stops listening; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            await(server.close(), "close the admin listener");
        }
    }

    private static void await(io.vertx.core.Future<?> future, String what) {
        try {
            future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within 30 s", e);
        }
    }
}
