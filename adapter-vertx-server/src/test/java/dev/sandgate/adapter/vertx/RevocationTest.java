package dev.sandgate.adapter.vertx;

import static dev.sandgate.adapter.vertx.BrokerFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a session or preview token opened ends within a second of the credential's deletion or expiry: log streams,
 * streamed execs, watch streams (with a last line saying why) and WebSocket tunnels (with a close code and reason);
 * tunnels also close when idle.
 */
class RevocationTest {
    private static final Duration WITHIN = Duration.ofSeconds(1);

    private BrokerFixture broker;
    private SandboxName sandbox;
    private String session;
    private String token;
    private HttpServer app;
    private WebSocketClient client;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture(s -> s.toBuilder().keepaliveInterval(Duration.ofMillis(200))
                .previewPorts(PreviewPorts.auto())
                .streams(StreamSettings.defaults().toBuilder().tunnelIdleTimeout(Duration.ofSeconds(2)).build()).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        sandbox = broker.sandbox("web");
        token = broker.session(sandbox, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of())
                .value().value();
        session = broker.sessionUrl(sandbox, "session-1");
        app = broker.vertx.createHttpServer()
                .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("echo:" + m)))
                .requestHandler(req -> req.response().end("app"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = broker.vertx.createWebSocketClient();
    }

    @AfterEach
    void stop() {
        client.close();
        app.close();
        broker.close();
    }

    private HttpRequest.Builder withToken(String path) {
        return broker.request(session + path).header("X-Blaxel-Preview-Token", token);
    }

    private String exec(String command) {
        HttpResponse<String> r = broker.send(withToken("/process").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"" + command + "\"}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).getString("pid");
    }

    /** Reads a streamed answer's lines as they come; {@code ended} completes when the broker ends it. */
    private record Reading(List<String> lines, CompletableFuture<Void> ended) {
    }

    private Reading read(HttpRequest.Builder request) throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpResponse<Stream<String>> r = broker.http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> r.body().forEach(lines::add));
        return new Reading(lines, ended);
    }

    private static void endsWithin(Reading reading, Duration within, String lastLine) throws Exception {
        long started = System.nanoTime();
        reading.ended().get(within.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("ended after %s", took).isLessThanOrEqualTo(within.plusMillis(300));
        assertThat(reading.lines()).isNotEmpty();
        assertThat(reading.lines().get(reading.lines().size() - 1)).contains(lastLine);
    }

    @Test
    void a_log_stream_opened_with_a_session_ends_within_a_second_of_its_token_s_deletion() throws Exception {
        String pid = exec("sleep 600");
        Reading logs = read(withToken("/process/" + pid + "/logs/stream"));
        waitFor(() -> broker.broker.openOnTokens() == 1);

        broker.gateway.deleteToken(sandbox, PreviewName.of("session-1"), TokenName.of("token-1"));

        endsWithin(logs, WITHIN, "[closed: the session, its preview token or its preview was deleted]");
    }

    @Test
    void a_resumable_log_stream_keeps_its_last_line_then_ends_with_an_end_object_saying_revoked_and_why()
            throws Exception {
        HttpResponse<String> started = broker.send(withToken("/process").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"cat\",\"stdin\":true}")));
        String pid = json(started).getString("pid");
        Reading logs = read(withToken("/process/" + pid + "/logs/stream").header("Accept", "application/x-ndjson"));
        waitFor(() -> broker.broker.openOnTokens() == 1);
        assertThat(broker.send(withToken("/process/" + pid + "/stdin")
                .POST(HttpRequest.BodyPublishers.ofString("up\n"))).statusCode()).isEqualTo(200);
        waitFor(() -> logs.lines().stream().anyMatch(l -> l.contains("\"up\"")));

        broker.gateway.deleteToken(sandbox, PreviewName.of("session-1"), TokenName.of("token-1"));

        endsWithin(logs, WITHIN, "\"how\":\"revoked\"");
        List<io.vertx.core.json.JsonObject> frames = logs.lines().stream().filter(l -> !l.isBlank())
                .map(io.vertx.core.json.JsonObject::new).filter(f -> !"keepalive".equals(f.getString("type"))).toList();
        assertThat(frames).extracting(f -> f.getString("type")).containsExactly("stdout", "end");
        assertThat(frames.get(0).getString("data")).isEqualTo("up");
        assertThat(frames.get(1).getString("reason")).isEqualTo("the session, its preview token or its preview was deleted");
    }

    @Test
    void a_streamed_exec_ends_within_a_second_of_its_session_s_expiry_with_a_closing_line() throws Exception {
        Reading exec = read(withToken("/process").header("Accept", "text/event-stream")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"sleep 600\"}")));
        waitFor(() -> broker.broker.openOnTokens() == 1);

        broker.clock.advance(Duration.ofHours(1));

        endsWithin(exec, WITHIN, "\"type\":\"closed\"");
        assertThat(exec.lines().get(exec.lines().size() - 1)).contains("expired");
    }

    @Test
    void a_watch_stream_ends_within_a_second_of_its_session_preview_s_deletion() throws Exception {
        Reading watch = read(withToken("/watch/filesystem/%2F"));
        waitFor(() -> broker.broker.openOnTokens() == 1);

        broker.gateway.deletePreview(sandbox, PreviewName.of("session-1"));

        endsWithin(watch, WITHIN, "\"op\":\"CLOSED\"");
    }

    @Test
    void a_stream_opened_with_the_api_key_is_not_cut_when_a_session_is_deleted() throws Exception {
        String pid = exec("sleep 600");
        Reading logs = read(broker.withKey(broker.sandboxUrl(sandbox) + "/process/" + pid + "/logs/stream"));
        broker.gateway.deletePreview(sandbox, PreviewName.of("session-1"));
        long until = System.nanoTime() + WITHIN.multipliedBy(2).toNanos();
        while (System.nanoTime() < until) {
            assertThat(logs.ended()).isNotDone();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        assertThat(broker.broker.openOnTokens()).isZero();
    }

    // ---- tunnels ----

    private String previewUrl(String preview) {
        return json(broker.get("/v0/sandboxes/web/previews/" + preview)).getJsonObject("spec").getString("url");
    }

    private record Tunnelled(WebSocket ws, CompletableFuture<Short> closeCode, CompletableFuture<String> reason) {
    }

    private Tunnelled open(String preview, Optional<String> previewToken) throws Exception {
        URI url = URI.create(previewUrl(preview));
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(url.getPort())
                .setURI("/hmr");
        previewToken.ifPresent(t -> options.addHeader("X-Blaxel-Preview-Token", t));
        WebSocket ws = client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture<Short> code = new CompletableFuture<>();
        CompletableFuture<String> reason = new CompletableFuture<>();
        ws.closeHandler(v -> {
            code.complete(ws.closeStatusCode());
            reason.complete(String.valueOf(ws.closeReason()));
        });
        CompletableFuture<String> echo = new CompletableFuture<>();
        ws.textMessageHandler(echo::complete);
        ws.writeTextMessage("ping");
        assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo("echo:ping");
        return new Tunnelled(ws, code, reason);
    }

    private String privatePreview(String name) {
        broker.gateway.createPreview(sandbox, new PreviewSpec(PreviewName.of(name), Port.of(app.actualPort()), false,
                HttpHeaders.NONE, HttpHeaders.NONE, Optional.empty()));
        return broker.gateway.createToken(sandbox, PreviewName.of(name), TokenName.of("t"),
                BrokerFixture.T0.plus(Duration.ofMinutes(30))).value().value();
    }

    private static void closesWithin(Tunnelled t, int code, String reason) throws Exception {
        long started = System.nanoTime();
        short seen = t.closeCode().get(WITHIN.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("closed after %s", took).isLessThanOrEqualTo(WITHIN.plusMillis(300));
        assertThat((int) seen).isEqualTo(code);
        assertThat(t.reason().get()).contains(reason);
    }

    @Test
    void a_tunnel_to_a_private_preview_closes_with_1008_within_a_second_of_its_token_s_deletion() throws Exception {
        String previewToken = privatePreview("private");
        Tunnelled t = open("private", Optional.of(previewToken));

        broker.gateway.deleteToken(sandbox, PreviewName.of("private"), TokenName.of("t"));

        closesWithin(t, 1008, "deleted");
    }

    @Test
    void a_tunnel_closes_with_1008_within_a_second_of_its_token_s_expiry() throws Exception {
        String previewToken = privatePreview("private");
        Tunnelled t = open("private", Optional.of(previewToken));

        broker.clock.advance(Duration.ofMinutes(30));

        closesWithin(t, 1008, "expired");
    }

    @Test
    void a_tunnel_to_a_public_preview_closes_within_a_second_of_the_preview_s_deletion() throws Exception {
        broker.gateway.createPreview(sandbox, PreviewSpec.publicPort(PreviewName.of("open"), Port.of(app.actualPort())));
        Tunnelled t = open("open", Optional.empty());

        broker.gateway.deletePreview(sandbox, PreviewName.of("open"));

        closesWithin(t, 1008, "deleted");
    }

    @Test
    void a_quiet_tunnel_closes_with_1001_after_the_idle_timeout_and_a_busy_one_stays() throws Exception {
        broker.gateway.createPreview(sandbox, PreviewSpec.publicPort(PreviewName.of("open"), Port.of(app.actualPort())));
        Tunnelled quiet = open("open", Optional.empty());
        Tunnelled busy = open("open", Optional.empty());
        long started = System.nanoTime();
        while (!quiet.closeCode().isDone() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(6)) {
            busy.ws().writeTextMessage("still here");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }

        assertThat((int) quiet.closeCode().get(1, TimeUnit.SECONDS)).isEqualTo(1001);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(busy.closeCode()).isNotDone();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
