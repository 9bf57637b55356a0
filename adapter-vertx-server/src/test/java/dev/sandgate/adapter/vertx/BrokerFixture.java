package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A broker on port 0 over an in-memory gateway, with a mutable clock, and blocking HTTP helpers for tests that call
 * it from the test thread.
 */
final class BrokerFixture implements AutoCloseable {
    static final String KEY = "test-api-key-0123456789abcdef";
    static final String WS = "test-ws";
    static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    final Vertx vertx = Vertx.vertx();
    final MutableClock clock = new MutableClock(T0);
    final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    final BrokerServer broker;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    BrokerFixture() {
        this(s -> s, Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
    }

    BrokerFixture(java.util.function.UnaryOperator<BrokerSettings> tweak, Duration headerDeadline) {
        this(tweak, headerDeadline, g -> g);
    }

    BrokerFixture(java.util.function.UnaryOperator<BrokerSettings> tweak, Duration headerDeadline,
                  java.util.function.UnaryOperator<dev.sandgate.ports.SandboxGateway> wrap) {
        this(tweak, headerDeadline, wrap, Auditing.none());
    }

    /** A broker recording the use of sessions as {@code auditing} says. */
    BrokerFixture(Auditing auditing) {
        this(s -> s, Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS), g -> g, auditing);
    }

    BrokerFixture(java.util.function.UnaryOperator<BrokerSettings> tweak, Duration headerDeadline,
                  java.util.function.UnaryOperator<dev.sandgate.ports.SandboxGateway> wrap, Auditing auditing) {
        BrokerSettings settings = tweak.apply(BrokerSettings.defaults(KEY, WS).toBuilder().port(0).build());
        BrokerServer.Prepared prepared = BrokerServer.prepare(vertx, settings, headerDeadline);
        broker = prepared.serve(wrap.apply(gateway), new GatewayAccessStore(gateway), clock, Monitoring.none(),
                Optional.empty(), auditing);
        base = broker.publicUrl().toString();
    }

    // ---- arranging state directly on the gateway ----

    SandboxName sandbox(String name) {
        SandboxName n = SandboxName.of(name);
        gateway.createSandbox(SandboxSpec.of(n));
        return n;
    }

    /** A session: a private port-443 preview and one token, both expiring at {@code expiresAt}. */
    PreviewToken session(SandboxName sandbox, String preview, Instant expiresAt, Map<String, String> responseHeaders) {
        PreviewName name = PreviewName.of(preview);
        gateway.createPreview(sandbox, new PreviewSpec(name, Port.SANDBOX_API, false, HttpHeaders.of(responseHeaders),
                HttpHeaders.NONE, Optional.of(expiresAt)));
        return gateway.createToken(sandbox, name, TokenName.of("token-1"), expiresAt);
    }

    String sessionUrl(SandboxName sandbox, String preview) {
        return base + "/s/" + sandbox.value() + "/" + preview;
    }

    String sandboxUrl(SandboxName sandbox) {
        return base + "/" + WS + "/sandboxes/" + sandbox.value();
    }

    // ---- HTTP ----

    HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    }

    HttpRequest.Builder withKey(String url) {
        return request(url).header("X-Blaxel-Authorization", "Bearer " + KEY).header("X-Blaxel-Workspace", WS);
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(withKey(base + path).GET());
    }

    HttpResponse<String> post(String path, Object json) {
        return send(withKey(base + path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.toString())));
    }

    HttpResponse<String> put(String path, Object json) {
        return send(withKey(base + path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.toString())));
    }

    HttpResponse<String> delete(String path) {
        return send(withKey(base + path).DELETE());
    }

    static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    static JsonArray array(HttpResponse<String> response) {
        return new JsonArray(response.body());
    }

    /** Writes raw bytes to the broker and reads the whole answer (until the server closes or 5 s pass). */
    String raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", broker.actualPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    answer.write(buffer, 0, n);
                    if (complete(answer.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException done) {
                // what arrived is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean complete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = answer.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int cl = head.indexOf("content-length:");
        if (cl < 0) {
            return false;
        }
        int eol = head.indexOf("\r\n", cl);
        int length = Integer.parseInt(head.substring(cl + 15, eol < 0 ? head.length() : eol).trim());
        return answer.length() - end - 4 >= length;
    }

    @Override
    public void close() {
        broker.close();
        gateway.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
