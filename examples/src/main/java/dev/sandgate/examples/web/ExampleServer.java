package dev.sandgate.examples.web;

import dev.sandgate.domain.SandgateException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example's backend: serves the page (the classpath's {@code static/}) and {@code GET /api/sandbox}, which
 * answers {@code {"session":{name,url,token,expiresAt},"preview_url":…,"app_port":…}}. The blocking broker calls run
 * on worker threads, never on the event loop.
 */
public final class ExampleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExampleServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final HttpServer server;

    private ExampleServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /** Listens on {@code 127.0.0.1:port} (0 = a free port) and returns once it serves. */
    public static ExampleServer start(SandboxBackend backend, int port) {
        Objects.requireNonNull(backend, "backend must not be null");
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            router.get("/api/sandbox").handler(ctx -> handOff(ctx, vertx, backend));
            router.route().handler(StaticHandler.create("static").setCachingEnabled(false));
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(60)
                            .setIdleTimeoutUnit(TimeUnit.SECONDS))
                    .requestHandler(router)
                    .listen(port, ExampleSettings.HOST)
                    .await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new ExampleServer(vertx, server);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the example server cannot listen on " + ExampleSettings.HOST + ":" + port
                    + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** The page's URL, ending with {@code /}. */
    public URI pageUrl() {
        return URI.create(ExampleSettings.origin(port()) + "/");
    }

    private static void handOff(RoutingContext ctx, Vertx vertx, SandboxBackend backend) {
        var authority = ctx.request().authority();
        URI origin = ExampleSettings.origin(authority == null ? null : authority.host(),
                ctx.request().localAddress().port());
        Future<SandboxBackend.Handoff> work = vertx.executeBlocking(() -> backend.handOff(origin), false);
        work.onComplete(result -> {
            if (result.succeeded()) {
                SandboxBackend.Handoff h = result.result();
                JsonObject body = new JsonObject()
                        .put("session", new JsonObject()
                                .put("name", h.session().name().value())
                                .put("url", h.session().url())
                                .put("token", h.session().token().value())
                                .put("expiresAt", h.session().expiresAt().toString()))
                        .put("preview_url", h.previewUrl())
                        .put("app_port", h.appPort());
                ctx.response().putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store")
                        .end(body.encode());
            } else {
                Throwable error = result.cause();
                String message = error instanceof SandgateException ? error.getMessage() : error.toString();
                LOG.warn("GET /api/sandbox failed: {}", message);
                ctx.response().setStatusCode(502).putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("error", "the broker refused: " + message).encode());
            }
        });
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the example server: {}", e.toString());
        }
    }
}
