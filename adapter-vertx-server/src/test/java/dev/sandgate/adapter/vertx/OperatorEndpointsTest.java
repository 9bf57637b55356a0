package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.ports.Readiness;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What operators reach, over real HTTP on port 0: the probes on the broker's listener and on the admin listener,
 * and the metrics on the admin listener only, moved by real requests through the broker.
 */
class OperatorEndpointsTest {
    private static final String KEY = BrokerFixture.KEY;
    private static final String WS = BrokerFixture.WS;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = new MutableClock(BrokerFixture.T0);
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final AtomicReference<Readiness.Result> store = new AtomicReference<>(Readiness.Result.passing());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private BrokerServer broker;
    private AdminServer admin;
    private String base;
    private String adminBase;

    @BeforeEach
    void start() {
        BrokerMetrics metrics = BrokerMetrics.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        broker = BrokerServer.prepare(vertx, BrokerSettings.defaults(KEY, WS).toBuilder().port(0)
                        .keepaliveInterval(Duration.ofMillis(200)).build())
                .serve(gateway, new GatewayAccessStore(gateway), clock,
                        new Monitoring(List.of(Readiness.of("store", store::get)), Optional.of(metrics)));
        admin = AdminServer.start(vertx, "127.0.0.1", 0, broker);
        base = broker.publicUrl().toString();
        adminBase = "http://127.0.0.1:" + admin.actualPort();
    }

    @AfterEach
    void stop() {
        admin.close();
        broker.close();
        gateway.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    // ---- probes ----

    @Test
    void both_listeners_answer_healthz_and_readyz_without_any_credential() {
        for (String on : List.of(base, adminBase)) {
            HttpResponse<String> alive = send(HttpRequest.newBuilder(URI.create(on + "/healthz")).GET());
            HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create(on + "/readyz")).GET());

            assertThat(alive.statusCode()).as(on).isEqualTo(200);
            assertThat(alive.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("application/json"));
            assertThat(new JsonObject(alive.body()).getString("status")).isEqualTo("alive");
            assertThat(ready.statusCode()).as(on).isEqualTo(200);
            JsonObject body = new JsonObject(ready.body());
            assertThat(body.getString("status")).isEqualTo("ready");
            assertThat(body.getJsonArray("checks")).containsExactly(new JsonObject().put("name", "store")
                    .put("ready", true));
        }
    }

    @Test
    void readyz_answers_503_naming_the_failing_check_on_both_listeners_and_200_once_it_holds_again() {
        store.set(Readiness.Result.failing("the shared store (Redis) does not answer"));

        for (String on : List.of(base, adminBase)) {
            HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create(on + "/readyz")).GET());
            assertThat(ready.statusCode()).as(on).isEqualTo(503);
            JsonObject body = new JsonObject(ready.body());
            assertThat(body.getString("status")).isEqualTo("not ready");
            assertThat(body.getJsonArray("failing")).isEqualTo(new JsonArray().add("store"));
            assertThat(body.getJsonArray("checks").getJsonObject(0).getString("reason")).contains("does not answer");
            // alive all the same: the process serves, a restart would not help
            assertThat(send(HttpRequest.newBuilder(URI.create(on + "/healthz")).GET()).statusCode()).isEqualTo(200);
        }

        store.set(Readiness.Result.passing());

        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/readyz")).GET()).statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(URI.create(adminBase + "/readyz")).GET()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void a_check_that_hangs_counts_as_failing_instead_of_holding_the_probe() throws Exception {
        admin.close();
        broker.close();
        broker = BrokerServer.prepare(vertx, BrokerSettings.defaults(KEY, WS).toBuilder().port(0).build())
                .serve(gateway, new GatewayAccessStore(gateway), clock, new Monitoring(List.of(
                        Readiness.of("store", () -> {
                            LockSupport.parkNanos(Duration.ofSeconds(30).toNanos());
                            return Readiness.Result.passing();
                        })), Optional.empty()));
        admin = AdminServer.start(vertx, "127.0.0.1", 0, broker);
        long started = System.nanoTime();

        HttpResponse<String> ready = send(HttpRequest.newBuilder(URI.create(broker.publicUrl() + "/readyz")).GET());

        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(HealthRoutes.CHECK_DEADLINE.plusSeconds(2));
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(ready.body()).getJsonArray("failing")).isEqualTo(new JsonArray().add("store"));
    }

    @Test
    void a_load_balancer_naming_the_broker_by_another_host_still_gets_its_probes() throws IOException {
        String answer = raw(broker.actualPort(), "GET /readyz HTTP/1.1\r\nHost: 10.0.0.7:8080\r\n"
                + "Connection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200").contains("\"status\":\"ready\"");
        // while any other request with that Host is refused as before
        assertThat(raw(broker.actualPort(), "GET /v0/sandboxes HTTP/1.1\r\nHost: 10.0.0.7:8080\r\n"
                + "Connection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 421");
    }

    // ---- metrics ----

    @Test
    void metrics_are_never_served_on_the_broker_s_listener_not_even_with_the_api_key() {
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET());
        HttpResponse<String> withKey = send(withKey(base + "/metrics").GET());

        assertThat(anonymous.statusCode()).isEqualTo(404);
        assertThat(withKey.statusCode()).isEqualTo(404);
        assertThat(anonymous.body()).doesNotContain("sandgate_");
        assertThat(withKey.body()).doesNotContain("sandgate_");
    }

    @Test
    void the_admin_listener_serves_prometheus_text_and_nothing_but_its_three_paths() {
        HttpResponse<String> metrics = send(HttpRequest.newBuilder(URI.create(adminBase + "/metrics")).GET());

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body()).contains("# TYPE sandgate_streams_open gauge")
                .contains("sandgate_forwarded_requests_total 0.0");
        assertThat(send(HttpRequest.newBuilder(URI.create(adminBase + "/v0/sandboxes")).GET()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void a_request_through_the_broker_grows_the_counter_of_its_face_and_status() {
        String ok = "sandgate_requests_seconds_count{face=\"control_plane\",status=\"200\"}";
        String missing = "sandgate_requests_seconds_count{face=\"data_plane\",status=\"404\"}";
        double before = sample(ok).orElse(0.0);

        assertThat(send(withKey(base + "/v0/sandboxes").GET()).statusCode()).isEqualTo(200);
        assertThat(send(withKey(base + "/" + WS + "/sandboxes/nothing/process").GET()).statusCode())
                .isEqualTo(404);

        awaitSample(ok, v -> v == before + 1);
        awaitSample(missing, v -> v == 1);
    }

    @Test
    void the_open_streams_gauge_rises_while_a_log_stream_is_open_and_falls_when_it_closes() throws Exception {
        SandboxName sandbox = SandboxName.of("logs");
        gateway.createSandbox(SandboxSpec.of(sandbox));
        String pid = gateway.dataPlane(sandbox).exec(dev.sandgate.domain.ProcessSpec.of("sleep 600")).pid();
        assertThat(sample("sandgate_streams_open")).contains(0.0);

        HttpResponse<Stream<String>> stream = http.send(withKey(base + "/" + WS + "/sandboxes/logs/process/" + pid
                + "/logs/stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        awaitSample("sandgate_streams_open", v -> v == 1);

        stream.body().close(); // the client goes away
        awaitSample("sandgate_streams_open", v -> v == 0);
    }

    @Test
    void a_session_minted_as_the_sdk_does_counts_once_and_its_deletion_counts_as_a_revocation() {
        gateway.createSandbox(SandboxSpec.of(SandboxName.of("web")));
        String expires = BrokerFixture.T0.plus(Duration.ofHours(1)).toString();
        assertThat(post("/v0/sandboxes/web/previews", "{\"metadata\":{\"name\":\"session-1\"},\"spec\":{\"port\":443,"
                + "\"public\":false,\"expires\":\"" + expires + "\"}}").statusCode()).isEqualTo(200);
        assertThat(post("/v0/sandboxes/web/previews/session-1/tokens", "{\"metadata\":{\"name\":\"t1\"},\"spec\":"
                + "{\"expiresAt\":\"" + expires + "\"}}").statusCode()).isEqualTo(200);
        // a token of an application preview is no session
        assertThat(post("/v0/sandboxes/web/previews", "{\"metadata\":{\"name\":\"app\"},\"spec\":{\"port\":3000,"
                + "\"public\":false}}").statusCode()).isEqualTo(200);
        assertThat(post("/v0/sandboxes/web/previews/app/tokens", "{\"metadata\":{\"name\":\"t1\"},\"spec\":"
                + "{\"expiresAt\":\"" + expires + "\"}}").statusCode()).isEqualTo(200);

        assertThat(sample("sandgate_sessions_minted_total")).contains(1.0);
        assertThat(sample("sandgate_sessions_revoked_total")).contains(0.0);

        assertThat(send(withKey(base + "/v0/sandboxes/web/previews/session-1").DELETE()).statusCode()).isEqualTo(200);

        assertThat(sample("sandgate_sessions_revoked_total")).contains(1.0);
    }

    @Test
    void a_preview_answer_counts_its_bytes_as_proxied_to_the_client() throws Exception {
        String body = "hello from the application";
        var app = vertx.createHttpServer().requestHandler(r -> r.response().end(body)).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        try {
            gateway.createSandbox(SandboxSpec.of(SandboxName.of("web")));
            HttpResponse<String> preview = post("/v0/sandboxes/web/previews", "{\"metadata\":{\"name\":\"app\"},"
                    + "\"spec\":{\"port\":" + app.actualPort() + ",\"public\":true}}");
            assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
            String url = new JsonObject(preview.body()).getJsonObject("spec").getString("url");
            String toClient = "sandgate_proxied_bytes_total{direction=\"to_client\"}";
            double before = sample(toClient).orElse(0.0);

            HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(url + "/")).GET());

            assertThat(answer.body()).isEqualTo(body);
            awaitSample(toClient, v -> v == before + body.length());
            awaitSample("sandgate_requests_seconds_count{face=\"preview\",status=\"200\"}", v -> v == 1);
        } finally {
            app.close();
        }
    }

    @Test
    void the_per_node_gauges_count_the_gateway_s_sandboxes_under_the_broker_s_address() {
        gateway.createSandbox(SandboxSpec.of(SandboxName.of("one")));
        gateway.createSandbox(SandboxSpec.of(SandboxName.of("two")));
        String node = "{node=\"127.0.0.1:" + broker.actualPort() + "\"}";

        assertThat(sample("sandgate_sandboxes" + node)).contains(2.0);
        assertThat(sample("sandgate_processes" + node)).contains(0.0);
    }

    // ---- helpers ----

    private HttpRequest.Builder withKey(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("X-Blaxel-Authorization", "Bearer " + KEY).header("X-Blaxel-Workspace", WS);
    }

    private HttpResponse<String> post(String path, String json) {
        return send(withKey(base + path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of one sample ({@code name} and labels exactly as Prometheus prints them) at the admin listener. */
    private Optional<Double> sample(String series) {
        HttpResponse<String> metrics = send(HttpRequest.newBuilder(URI.create(adminBase + "/metrics")).GET());
        assertThat(metrics.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics.body());
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    private void awaitSample(String series, DoublePredicate wanted) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Optional<Double> value = sample(series);
        while (value.isEmpty() || !wanted.test(value.get())) {
            assertThat(System.nanoTime() - deadline).as("%s is %s", series, value).isNegative();
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            value = sample(series);
        }
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // "Connection: close": to the end
        }
    }
}
