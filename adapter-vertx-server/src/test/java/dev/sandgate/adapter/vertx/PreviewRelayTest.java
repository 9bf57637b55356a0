package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.Port;
import dev.sandgate.ports.contract.Eventually;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the preview proxy carries between a client and an application over its pooled upstream connections
 * ({@link RawUpstream}, {@link UpstreamExchange}): bodies both ways, whole; answers without a body; connections
 * kept alive, and dropped when either side ends them; a client gone cancels the application's answer.
 */
class PreviewRelayTest {
    private static final int BIG = 1024 * 1024;

    private BrokerFixture broker;
    private HttpServer origin;
    /** The client side (port) of every connection the origin was opened. */
    private final Set<Integer> upstreamConnections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean streamCancelled = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture();
        origin = broker.vertx.createHttpServer()
                .connectionHandler(c -> upstreamConnections.add(c.remoteAddress().port()))
                .requestHandler(req -> {
                    switch (req.path()) {
                        case "/big" -> { // 1 MiB in chunks, no Content-Length
                            req.response().setChunked(true);
                            for (int i = 0; i < BIG / 1024; i++) {
                                req.response().write(Buffer.buffer("x".repeat(1024)));
                            }
                            req.response().end();
                        }
                        case "/upload" -> req.body().onSuccess(body -> req.response().end("got " + body.length()));
                        case "/empty" -> req.response().setStatusCode(204).end();
                        case "/early" -> req.response().setStatusCode(413).end("too big"); // the body unread
                        case "/close" -> req.response().putHeader("Connection", "close").end("closing");
                        case "/cut" -> { // a part of the answer, then the connection goes away
                            req.response().setChunked(true).write("part");
                            broker.vertx.setTimer(100, t -> req.connection().close());
                        }
                        case "/endless" -> {
                            req.response().setChunked(true);
                            req.response().closeHandler(v -> streamCancelled.set(true));
                            long timer = broker.vertx.setPeriodic(20, t -> {
                                if (!req.response().closed()) {
                                    req.response().write("tick\n");
                                }
                            });
                            req.connection().closeHandler(v -> {
                                streamCancelled.set(true);
                                broker.vertx.cancelTimer(timer);
                            });
                        }
                        default -> req.response().putHeader("X-Seen", req.method().name()).end("ok " + req.method());
                    }
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        SandboxName sandbox = broker.sandbox("web");
        broker.gateway.createPreview(sandbox, PreviewSpec.publicPort(PreviewName.of("app"), Port.of(origin.actualPort())));
    }

    @AfterEach
    void stop() {
        origin.close();
        broker.close();
    }

    private String url(String rest) {
        return broker.base + "/p/web/app" + rest;
    }

    @Test
    void a_megabyte_answer_without_a_length_arrives_whole() {
        HttpResponse<String> r = broker.send(broker.request(url("/big")).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(BIG);
    }

    @Test
    void a_chunked_upload_reaches_the_application_whole() {
        byte[] body = "y".repeat(256 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        HttpResponse<String> r = broker.send(broker.request(url("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("got " + body.length);
    }

    @Test
    void head_and_204_answers_carry_no_body_and_the_connection_serves_the_next_request() {
        String answers = untilClosed("HEAD /p/web/app/h HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "GET /p/web/app/empty HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "GET /p/web/app/after HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(answers).startsWith("HTTP/1.1 200").contains("X-Seen: HEAD").contains("HTTP/1.1 204")
                .endsWith("ok GET");
        assertThat(answers.split("HTTP/1.1 ", -1)).hasSize(4);
    }

    /** Writes {@code requests} on one connection and reads until the broker closes it (the last asks it to). */
    private String untilClosed(String requests) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void an_answer_before_the_body_was_sent_leaves_the_clients_connection_usable_for_the_next_request() {
        String body = "z".repeat(200_000);
        String answers = untilClosed("POST /p/web/app/early HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body
                + "GET /p/web/app/after HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        assertThat(answers).startsWith("HTTP/1.1 413").contains("too big").endsWith("ok GET");
    }

    @Test
    void sequential_requests_reuse_one_upstream_connection_and_one_the_application_closes_is_not_reused() {
        for (int i = 0; i < 20; i++) {
            assertThat(broker.send(broker.request(url("/n" + i)).GET()).body()).isEqualTo("ok GET");
        }
        int kept = upstreamConnections.size();
        assertThat(kept).isLessThanOrEqualTo(2); // the broker's loops may each open one

        assertThat(broker.send(broker.request(url("/close")).GET()).body()).isEqualTo("closing");
        for (int i = 0; i < 5; i++) {
            assertThat(broker.send(broker.request(url("/again" + i)).GET()).body()).isEqualTo("ok GET");
        }
        // the closed one was not taken again (each request above was answered), and not every request reconnected
        assertThat(upstreamConnections.size()).isLessThanOrEqualTo(kept + 2);
    }

    @Test
    void an_answer_the_application_cuts_short_resets_the_client_and_the_next_request_is_served() {
        assertThatThrownBy(() -> {
            HttpResponse<String> r = broker.http.send(broker.request(url("/cut")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("a whole answer from a cut one: " + r.statusCode() + " " + r.body());
        }).isInstanceOf(IOException.class);

        assertThat(broker.send(broker.request(url("/next")).GET()).body()).isEqualTo("ok GET");
    }

    @Test
    void an_application_that_does_not_listen_is_a_503_naming_the_cause() throws Exception {
        origin.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        HttpResponse<String> r = broker.send(broker.request(url("/gone")).GET());

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("does not answer");
    }

    @Test
    void a_client_that_goes_away_cancels_the_applications_answer() throws Exception {
        HttpResponse<InputStream> r = broker.http.send(broker.request(url("/endless")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertThat(new String(in.readNBytes(5), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("tick\n");
        }

        Eventually.await("the application's answer cancelled", Duration.ofSeconds(10), streamCancelled::get);
    }
}
