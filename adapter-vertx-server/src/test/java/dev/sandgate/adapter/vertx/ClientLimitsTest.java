package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-address limits: failed authentications lead to 429 for the rest of the minute; connections are capped. */
class ClientLimitsTest {
    private static final String BAD_KEY = "Bearer not-the-key-0123456789abcdef";

    private BrokerFixture broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private BrokerFixture broker(java.util.function.UnaryOperator<BrokerSettings> tweak) {
        broker = new BrokerFixture(tweak, Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        return broker;
    }

    private HttpResponse<String> badKey() {
        return broker.send(broker.request(broker.base + "/v0/sandboxes")
                .header("X-Blaxel-Authorization", BAD_KEY).header("X-Blaxel-Workspace", BrokerFixture.WS).GET());
    }

    @Test
    void past_the_limit_of_failed_authentications_an_address_gets_429_until_its_minute_ends() {
        broker(s -> s.toBuilder().authFailuresPerMinute(3).build());
        SandboxName sandbox = broker.sandbox("web");
        broker.session(sandbox, "session", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());

        for (int i = 0; i < 3; i++) {
            assertThat(badKey().statusCode()).isEqualTo(401);
        }
        HttpResponse<String> withTheKey = broker.get("/v0/sandboxes");
        HttpResponse<String> session = broker.send(broker.request(broker.sessionUrl(sandbox, "session") + "/process")
                .header("X-Blaxel-Preview-Token", "bxp_" + "A".repeat(43)).GET());
        HttpResponse<String> preflight = broker.send(broker.request(broker.sessionUrl(sandbox, "session") + "/process")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST"));

        assertThat(withTheKey.statusCode()).isEqualTo(429);
        assertThat(BrokerFixture.json(withTheKey).getString("error")).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(withTheKey.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(session.statusCode()).isEqualTo(429);
        assertThat(session.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
        assertThat(preflight.statusCode()).isEqualTo(204);

        broker.clock.advance(Duration.ofSeconds(45));
        assertThat(broker.get("/v0/sandboxes").headers().firstValue("Retry-After")).hasValue("15");
        broker.clock.advance(Duration.ofSeconds(15));
        assertThat(broker.get("/v0/sandboxes").statusCode()).isEqualTo(200);
    }

    @Test
    void bad_session_tokens_count_as_failed_authentications_and_good_answers_do_not() {
        broker(s -> s.toBuilder().authFailuresPerMinute(2).build());
        SandboxName sandbox = broker.sandbox("web");
        String token = broker.session(sandbox, "session", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of())
                .value().value();
        String url = broker.sessionUrl(sandbox, "session") + "/process";

        for (int i = 0; i < 5; i++) {
            assertThat(broker.send(broker.request(url).header("X-Blaxel-Preview-Token", token).GET()).statusCode())
                    .isEqualTo(200);
        }
        assertThat(broker.send(broker.request(url).header("X-Blaxel-Preview-Token", "junk").GET()).statusCode())
                .isEqualTo(401);
        assertThat(broker.send(broker.request(url).GET()).statusCode()).isEqualTo(401);
        assertThat(broker.send(broker.request(url).header("X-Blaxel-Preview-Token", token).GET()).statusCode())
                .isEqualTo(429);
    }

    @Test
    void with_the_limit_off_failed_authentications_stay_401() {
        broker(s -> s.toBuilder().authFailuresPerMinute(0).build());

        for (int i = 0; i < 150; i++) {
            assertThat(badKey().statusCode()).isEqualTo(401);
        }
        assertThat(broker.get("/v0/sandboxes").statusCode()).isEqualTo(200);
    }

    @Test
    void a_sandbox_past_its_token_mints_per_minute_gets_429_until_the_minute_ends() {
        broker(s -> s.toBuilder().tokenMintsPerMinute(2).build());
        broker.sandbox("busy");
        broker.sandbox("calm");
        String expires = "2026-11-24T09:00:00Z";
        for (String sandbox : List.of("busy", "calm")) {
            broker.post("/v0/sandboxes/" + sandbox + "/previews", new io.vertx.core.json.JsonObject(
                    "{\"metadata\":{\"name\":\"session\"},\"spec\":{\"port\":443,\"public\":false}}"));
        }
        java.util.function.BiFunction<String, String, HttpResponse<String>> mint = (sandbox, name) ->
                broker.post("/v0/sandboxes/" + sandbox + "/previews/session/tokens", new io.vertx.core.json.JsonObject(
                        "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}"));

        assertThat(mint.apply("busy", "t1").statusCode()).isEqualTo(200);
        assertThat(mint.apply("busy", "t2").statusCode()).isEqualTo(200);
        HttpResponse<String> third = mint.apply("busy", "t3");
        HttpResponse<String> elsewhere = mint.apply("calm", "t1");

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(BrokerFixture.json(third).getString("message")).contains("busy");
        assertThat(third.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(broker.gateway.listTokens(SandboxName.of("busy"), dev.sandgate.domain.PreviewName.of("session")))
                .hasSize(2);
        assertThat(elsewhere.statusCode()).isEqualTo(200);
        broker.clock.advance(Duration.ofSeconds(60));
        assertThat(mint.apply("busy", "t3").statusCode()).isEqualTo(200);
    }

    @Test
    void the_default_limit_is_documented_and_generous_enough_for_a_page_that_retries() {
        BrokerSettings defaults = BrokerSettings.defaults(BrokerFixture.KEY, BrokerFixture.WS);

        assertThat(defaults.authFailuresPerMinute()).isEqualTo(100);
        assertThat(defaults.maxConnectionsPerIp()).isEqualTo(256);
        assertThat(defaults.tokenMintsPerMinute()).isEqualTo(60);
    }

    @Test
    void an_address_past_its_connection_cap_has_new_connections_refused_until_one_ends() throws IOException {
        broker(s -> s.toBuilder().maxConnectionsPerIp(2).build());
        int port = broker.broker.actualPort();
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket("127.0.0.1", port);
                open.add(s);
                assertThat(exchange(s, port)).startsWith("HTTP/1.1 200");
            }
            try (Socket third = new Socket("127.0.0.1", port)) {
                assertThat(exchange(third, port)).startsWith("HTTP/1.1 429");
                assertThat(third.getInputStream().readAllBytes()).asString().contains("TOO_MANY_CONNECTIONS");
            }

            open.remove(0).close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket again = new Socket("127.0.0.1", port)) {
                    if (exchange(again, port).startsWith("HTTP/1.1 200")) {
                        break;
                    }
                }
                assertThat(System.nanoTime() - deadline).as("a connection is accepted again").isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    /**
     * A client that opens connections over its cap and sends nothing on them holds at most
     * {@link ConnectionGuard#PROBATION_PER_ADDRESS} of them (until the header deadline); every further one is closed
     * at once.
     */
    @Test
    void connections_opened_over_the_cap_and_left_silent_are_closed_at_once_past_a_bound() throws IOException {
        broker(s -> s.toBuilder().maxConnectionsPerIp(1).build());
        int port = broker.broker.actualPort();
        int extra = 10;
        List<java.nio.channels.SocketChannel> open = new ArrayList<>();
        try (Socket first = new Socket("127.0.0.1", port)) {
            assertThat(exchange(first, port)).startsWith("HTTP/1.1 200");
            for (int i = 0; i < ConnectionGuard.PROBATION_PER_ADDRESS + extra; i++) {
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(
                        new java.net.InetSocketAddress("127.0.0.1", port));
                c.configureBlocking(false);
                open.add(c);
            }
            int[] closed = {0};
            Eventually.await("the connections past the bound closed", Duration.ofSeconds(8), () -> {
                closed[0] = closedByTheBroker(open);
                return closed[0] >= extra;
            });
            assertThat(closed[0]).as("the others wait for their first request").isEqualTo(extra);
        } finally {
            for (java.nio.channels.SocketChannel c : open) {
                c.close();
            }
        }
    }

    /** How many of {@code channels} (non-blocking) the broker has closed: read at their end, or reset. */
    private static int closedByTheBroker(List<java.nio.channels.SocketChannel> channels) {
        int closed = 0;
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
        for (java.nio.channels.SocketChannel c : channels) {
            try {
                buffer.clear();
                if (c.read(buffer) < 0) {
                    closed++;
                }
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    /** A request pipelined behind the refused one on an over-cap connection is not served either. */
    @Test
    void a_client_over_its_cap_cannot_slip_a_pipelined_request_behind_the_refused_one() throws IOException {
        broker(s -> s.toBuilder().maxConnectionsPerIp(1).build());
        int port = broker.broker.actualPort();
        try (Socket first = new Socket("127.0.0.1", port)) {
            assertThat(exchange(first, port)).startsWith("HTTP/1.1 200"); // counted before the next one opens
            Socket over = new Socket("127.0.0.1", port);
            String create = "{\"metadata\":{\"name\":\"sneaked-in\"}}";
            String request = "GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "X-Blaxel-Authorization: Bearer " + BrokerFixture.KEY + "\r\nX-Blaxel-Workspace: "
                    + BrokerFixture.WS + "\r\n\r\n"
                    + "POST /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "X-Blaxel-Authorization: Bearer " + BrokerFixture.KEY + "\r\nX-Blaxel-Workspace: "
                    + BrokerFixture.WS + "\r\nContent-Type: application/json\r\nContent-Length: " + create.length()
                    + "\r\n\r\n" + create;
            over.setSoTimeout(10_000);
            over.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            over.getOutputStream().flush();
            String answers = new String(over.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            over.close();
            assertThat(answers).startsWith("HTTP/1.1 429").doesNotContain("HTTP/1.1 200");
        }
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> list = new java.util.concurrent.atomic.AtomicReference<>();
        Eventually.await("a connection accepted again once both closed", Duration.ofSeconds(10), () -> {
            list.set(broker.get("/v0/sandboxes"));
            return list.get().statusCode() == 200;
        });
        assertThat(list.get().body()).doesNotContain("sneaked-in");
    }

    /** A keep-alive request; the status line, or "" when the server closed the connection unanswered. */
    private static String exchange(Socket socket, int port) throws IOException {
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        try {
            out.write(("GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nX-Blaxel-Authorization: Bearer "
                    + BrokerFixture.KEY + "\r\nX-Blaxel-Workspace: " + BrokerFixture.WS + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException closedAlready) {
            return "";
        }
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\r') {
                line.append((char) c);
            }
        } catch (java.net.SocketTimeoutException neitherAnsweredNorClosed) {
            return "no answer within 5 s";
        } catch (IOException reset) {
            return "";
        }
        return line.toString();
    }
}
