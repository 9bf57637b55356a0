package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.contract.Eventually;
import io.vertx.core.json.JsonObject;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session is held to its quotas (its own, else the broker's defaults): beyond its requests per second, its running
 * processes or its open streams it gets 429 {@code QUOTA_EXCEEDED} naming the quota, with {@code Retry-After} and its
 * CORS headers; every exec and stream it held is given back however it ended, so that it can start and open new
 * ones. The rate is judged at the broker's clock, which the test moves.
 */
class SessionQuotasTest {
    private static final String ORIGIN = "https://app.example";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A rate no polling reaches: the clock stands still, so a bucket would never refill. */
    private static final int UNHURRIED = 100_000;

    private BrokerFixture broker;
    private SandboxName box;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(UnaryOperator<BrokerSettings> settings) {
        broker = new BrokerFixture(settings, Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        box = broker.sandbox("box");
    }

    private void start() {
        start(s -> s);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Mints {@code session-1} with these quotas ({@code null}: none of its own). */
    private String mint(JsonObject quotas) {
        JsonObject body = new JsonObject()
                .put("metadata", new JsonObject().put("name", "session-1"))
                .put("spec", new JsonObject().put("port", 443).put("public", false)
                        .put("responseHeaders", new JsonObject().put("Access-Control-Allow-Origin", ORIGIN))
                        .put("expires", BrokerFixture.T0.plusSeconds(3600).toString()));
        if (quotas != null) {
            body.put("sandgate", new JsonObject().put("quotas", quotas));
        }
        HttpResponse<String> preview = broker.post("/v0/sandboxes/box/previews", body);
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        HttpResponse<String> token = broker.post("/v0/sandboxes/box/previews/session-1/tokens", new JsonObject()
                .put("spec", new JsonObject().put("expiresAt", BrokerFixture.T0.plusSeconds(3600).toString())));
        return json(token).getJsonObject("spec").getString("token");
    }

    private String session() {
        return broker.sessionUrl(box, "session-1");
    }

    private HttpResponse<String> list(String token) {
        return broker.send(broker.request(session() + "/process").header("Origin", ORIGIN)
                .header("X-Blaxel-Preview-Token", token).GET());
    }

    private HttpResponse<String> exec(String token, String command) {
        return broker.send(broker.request(session() + "/process").header("Origin", ORIGIN)
                .header("X-Blaxel-Preview-Token", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("command", command).encode())));
    }

    private String running(String token) {
        HttpResponse<String> r = exec(token, "sleep 300");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).getString("pid");
    }

    private void kill(String pid) {
        HttpResponse<String> r = broker.send(broker.withKey(broker.sandboxUrl(box) + "/process/" + pid + "/kill")
                .DELETE());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** Opens a stream over a raw socket and reads its status line and headers; the socket stays open. */
    private Socket openStream(String token, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", broker.broker.actualPort());
        sockets.add(socket);
        socket.setSoTimeout(10_000);
        String prefix = "/s/" + box.value() + "/session-1";
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + prefix + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + broker.broker.actualPort()
                + "\r\nOrigin: " + ORIGIN + "\r\nX-Blaxel-Preview-Token: " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    /** The status of a stream's answer, read from its socket. */
    private static int status(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return Integer.parseInt(line.toString().split(" ")[1]);
    }

    private HttpResponse<String> streamAnswer(String token, String path) {
        // a refused stream is a plain answer: read it whole
        return broker.send(broker.request(session() + path).header("Origin", ORIGIN)
                .header("X-Blaxel-Preview-Token", token).timeout(Duration.ofSeconds(3)).GET());
    }

    private static void assertQuotaExceeded(HttpResponse<String> r, String quota, int limit) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        JsonObject body = json(r);
        assertThat(body.getString("reason")).isEqualTo("QUOTA_EXCEEDED");
        assertThat(body.getString("quota")).isEqualTo(quota);
        assertThat(body.getInteger("limit")).isEqualTo(limit);
        assertThat(body.getString("error")).isNotBlank();
        assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                assertThat(Long.parseLong(v)).isPositive());
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
        assertThat(r.headers().firstValue("Access-Control-Expose-Headers"))
                .hasValueSatisfying(v -> assertThat(v).contains("Retry-After"));
    }

    @Test
    void a_session_flooding_requests_gets_429_with_retry_after_until_its_second_has_passed() {
        start();
        String token = mint(new JsonObject().put("requestsPerSecond", 3));

        for (int i = 0; i < 3; i++) {
            assertThat(list(token).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> over = list(token);
        assertQuotaExceeded(over, "requestsPerSecond", 3);
        assertThat(over.headers().firstValue("Retry-After")).contains("1");

        broker.clock.advance(Duration.ofMillis(400));
        assertThat(list(token).statusCode()).as("one token back after a third of a second").isEqualTo(200);
        assertThat(list(token).statusCode()).isEqualTo(429);
        broker.clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) {
            assertThat(list(token).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_session_without_quotas_of_its_own_is_held_to_the_brokers_defaults_and_the_api_key_to_none() {
        start(s -> s.toBuilder().sessionQuotas(new SessionQuotaDefaults(2, 0, 0)).build());
        String token = mint(null);

        assertThat(list(token).statusCode()).isEqualTo(200);
        assertThat(list(token).statusCode()).isEqualTo(200);
        assertQuotaExceeded(list(token), "requestsPerSecond", 2);
        for (int i = 0; i < 5; i++) {
            assertThat(broker.send(broker.withKey(session() + "/process").GET()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_session_cannot_run_more_processes_than_its_quota_and_starts_again_once_one_exits() {
        start();
        String token = mint(new JsonObject().put("concurrentExecs", 2).put("requestsPerSecond", UNHURRIED));
        String first = running(token);
        running(token);

        assertQuotaExceeded(exec(token, "sleep 300"), "concurrentExecs", 2);
        assertThat(broker.send(broker.withKey(broker.sandboxUrl(box) + "/process").GET()).body())
                .as("the refused exec started nothing").satisfies(b -> assertThat(b.split("\"pid\"")).hasSize(3));

        kill(first);
        Eventually.await("an exec is served once a process of the session has exited", WAIT,
                () -> exec(token, "sleep 300").statusCode() == 200);
    }

    @Test
    void processes_that_end_at_once_and_execs_that_fail_give_their_slot_back() {
        start();
        String token = mint(new JsonObject().put("concurrentExecs", 1).put("requestsPerSecond", UNHURRIED));

        for (int i = 0; i < 3; i++) {
            Eventually.await("the last echo's slot is back", WAIT, () -> exec(token, "echo hi").statusCode() == 200);
        }
        for (int i = 0; i < 3; i++) {
            Eventually.await("the slot is back", WAIT, () -> exec(token, "no-such-command").statusCode() != 429);
        }
        Eventually.await("a refused exec held nothing", WAIT, () -> exec(token, "sleep 300").statusCode() == 200);
    }

    @Test
    void streams_beyond_the_quota_are_refused_and_once_closed_by_the_client_new_ones_open() throws Exception {
        start();
        String token = mint(new JsonObject().put("concurrentStreams", 2).put("requestsPerSecond", UNHURRIED));
        String pid = json(broker.send(broker.withKey(broker.sandboxUrl(box) + "/process").header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"sleep 300\"}"))))
                .getString("pid");
        Socket logs = openStream(token, "/process/" + pid + "/logs/stream");
        Socket watch = openStream(token, "/watch/filesystem/%2F");
        assertThat(status(logs)).isEqualTo(200);
        assertThat(status(watch)).isEqualTo(200);

        assertQuotaExceeded(streamAnswer(token, "/process/" + pid + "/logs/stream"), "concurrentStreams", 2);
        HttpResponse<String> streamedExec = broker.send(broker.request(session() + "/process").header("Origin", ORIGIN)
                .header("X-Blaxel-Preview-Token", token).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"sleep 300\"}")));
        assertQuotaExceeded(streamedExec, "concurrentStreams", 2);

        logs.close();
        watch.close();
        Eventually.await("new streams open once the client closed its own", WAIT, () -> {
            try {
                Socket again = openStream(token, "/watch/filesystem/%2F");
                return status(again) == 200;
            } catch (IOException e) {
                return false;
            }
        });
        Socket second = openStream(token, "/process/" + pid + "/logs/stream");
        assertThat(status(second)).isEqualTo(200);
    }

    @Test
    void streams_that_end_with_their_process_give_their_slot_back() throws Exception {
        start();
        String token = mint(new JsonObject().put("concurrentStreams", 1).put("requestsPerSecond", UNHURRIED));
        String pid = running(token);
        Socket logs = openStream(token, "/process/" + pid + "/logs/stream");
        assertThat(status(logs)).isEqualTo(200);
        assertThat(streamAnswer(token, "/watch/filesystem/%2F").statusCode()).isEqualTo(429);

        kill(pid);
        Eventually.await("a stream opens once the process's log stream ended", WAIT, () -> {
            try {
                return status(openStream(token, "/watch/filesystem/%2F")) == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
