package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.Eventually;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The access log, read where the test logging writes it ({@code target/broker-test.log}, the logger
 * {@code sandgate.access} at INFO): one line per request, whatever the face, and never a credential's value.
 */
class AccessLogTest {
    private static final Path LOG = Path.of("target", "broker-test.log");

    private BrokerFixture broker;
    private HttpServer origin;
    private SandboxName sandbox;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture();
        origin = broker.vertx.createHttpServer()
                .requestHandler(req -> req.response().putHeader("Content-Type", "text/plain").end("origin:" + req.path()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // a name of this run's own, so that lines of other tests sharing the log file never match
        sandbox = broker.sandbox("acc" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999));
    }

    @AfterEach
    void stop() {
        origin.close();
        broker.close();
    }

    @Test
    void a_token_in_a_header_the_query_or_a_cookie_is_never_written_to_the_access_log() throws Exception {
        String session = broker.session(sandbox, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of())
                .value().value();
        broker.gateway.createPreview(sandbox, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(origin.actualPort())));
        String preview = broker.gateway.createToken(sandbox, PreviewName.of("app"), TokenName.of("t1"),
                BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
        String previewUrl = broker.base + "/p/" + sandbox.value() + "/app";

        HttpResponse<String> byHeader = broker.send(broker.request(broker.sessionUrl(sandbox, "session-1") + "/process")
                .header("X-Blaxel-Preview-Token", session).GET());
        HttpResponse<String> byQuery = broker.send(broker.request(previewUrl + "/by-query?x=1&bl_preview_token=" + preview)
                .GET());
        // the path form reads no cookie; a preview's own host name does
        String byCookie;
        try (BrokerFixture named = new BrokerFixture(s -> s.toBuilder().previewDomain(java.util.Optional.of("localhost"))
                .build(), Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS))) {
            SandboxName other = named.sandbox(sandbox.value());
            named.gateway.createPreview(other, PreviewSpec.privatePort(PreviewName.of("app"),
                    Port.of(origin.actualPort())));
            String cookieToken = named.gateway.createToken(other, PreviewName.of("app"), TokenName.of("t1"),
                    BrokerFixture.T0.plus(Duration.ofHours(1))).value().value();
            byCookie = named.raw("GET /by-cookie HTTP/1.1\r\nHost: app-" + other.value() + ".localhost:"
                    + named.broker.actualPort() + "\r\nCookie: a=1; bl_preview_token=" + cookieToken
                    + "\r\nConnection: close\r\n\r\n");
            preview = preview + "|" + cookieToken;
        }

        assertThat(byHeader.statusCode()).isEqualTo(200);
        assertThat(byCookie).startsWith("HTTP/1.1 200").contains("origin:/by-cookie");
        JsonObject header = lineFor("/s/" + sandbox.value() + "/session-1/process");
        assertThat(header.getString("face")).isEqualTo("session");
        assertThat(header.getString("method")).isEqualTo("GET");
        assertThat(header.getString("sandbox")).isEqualTo(sandbox.value());
        assertThat(header.getInteger("status")).isEqualTo(200);
        assertThat(header.getLong("durationMs")).isNotNegative();
        assertThat(header.getLong("bytesOut")).isEqualTo(byHeader.body().length());
        assertThat(header.getString("client")).isEqualTo("127.0.0.1");
        JsonObject query = lineFor("/p/" + sandbox.value() + "/app/by-query");
        assertThat(query.getString("face")).isEqualTo("preview");
        assertThat(query.getInteger("status")).isEqualTo(byQuery.statusCode());
        JsonObject cookie = lineFor("/by-cookie", sandbox.value());
        assertThat(cookie.getString("face")).isEqualTo("preview");
        assertThat(cookie.getInteger("status")).isEqualTo(200);
        assertThat(cookie.getLong("bytesOut")).isEqualTo(("origin:/by-cookie").length());

        String logged = Files.readString(LOG);
        assertThat(logged).doesNotContain(session).doesNotContain(BrokerFixture.KEY);
        for (String value : preview.split("\\|")) {
            assertThat(logged).doesNotContain(value);
        }
    }

    @Test
    void a_404_a_405_a_refused_preview_and_a_control_plane_call_each_get_one_line() throws Exception {
        broker.gateway.createPreview(sandbox, PreviewSpec.privatePort(PreviewName.of("app"), Port.of(origin.actualPort())));
        String unknown = "/nowhere-" + sandbox.value();

        assertThat(broker.get(unknown).statusCode()).isEqualTo(404);
        assertThat(broker.send(broker.withKey(broker.sandboxUrl(sandbox) + "/process/x/logs")
                .DELETE()).statusCode()).isEqualTo(405);
        assertThat(broker.send(broker.request(broker.base + "/p/" + sandbox.value() + "/app/page").GET()).statusCode())
                .isEqualTo(401);
        assertThat(broker.get("/v0/sandboxes/" + sandbox.value()).statusCode()).isEqualTo(200);

        JsonObject notFound = lineFor(unknown);
        assertThat(notFound.getString("face")).isEqualTo("other");
        assertThat(notFound.getInteger("status")).isEqualTo(404);
        assertThat(notFound.containsKey("sandbox")).isFalse();
        JsonObject wrongMethod = lineFor("/" + BrokerFixture.WS + "/sandboxes/" + sandbox.value() + "/process/x/logs");
        assertThat(wrongMethod.getString("face")).isEqualTo("sandbox");
        assertThat(wrongMethod.getString("method")).isEqualTo("DELETE");
        assertThat(wrongMethod.getInteger("status")).isEqualTo(405);
        JsonObject refused = lineFor("/p/" + sandbox.value() + "/app/page");
        assertThat(refused.getString("face")).isEqualTo("preview");
        assertThat(refused.getString("sandbox")).isEqualTo(sandbox.value());
        assertThat(refused.getInteger("status")).isEqualTo(401);
        JsonObject control = lineFor("/v0/sandboxes/" + sandbox.value());
        assertThat(control.getString("face")).isEqualTo("control");
        assertThat(control.getInteger("status")).isEqualTo(200);
        assertThat(linesFor(unknown)).hasSize(1);
        assertThat(linesFor("/v0/sandboxes/" + sandbox.value())).hasSize(1);
    }

    @Test
    void a_request_refused_before_routing_gets_its_line_too() throws Exception {
        String path = "/v0/sandboxes/" + sandbox.value() + "/refused";
        String answer = broker.raw("GET " + path + " HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 421");
        JsonObject line = lineFor(path);
        assertThat(line.getString("face")).isEqualTo("control");
        assertThat(line.getInteger("status")).isEqualTo(421);
    }

    @Test
    void with_the_access_log_off_a_broker_writes_no_line() throws Exception {
        String path = "/off-" + sandbox.value();
        try (BrokerFixture quiet = new BrokerFixture(s -> s.toBuilder().accessLog(false).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS))) {
            assertThat(quiet.get(path).statusCode()).isEqualTo(404);
        }
        // the broker that logs answers after the quiet one closed: once its line is there, the other's would be
        assertThat(broker.get(path + "-on").statusCode()).isEqualTo(404);
        lineFor(path + "-on");
        assertThat(linesFor(path)).isEmpty();
    }

    /** The one line whose path is {@code path}, waiting for it up to 10 s (it is written as the answer ends). */
    private static JsonObject lineFor(String path) throws IOException, InterruptedException {
        return lineFor(path, null);
    }

    /** As {@link #lineFor(String)}, of the lines naming {@code sandbox} when it is not null. */
    private static JsonObject lineFor(String path, String sandbox) {
        AtomicReference<List<JsonObject>> lines = new AtomicReference<>(List.of());
        Eventually.await("a line for " + path, Duration.ofSeconds(10), () -> {
            lines.set(linesFor(path).stream()
                    .filter(j -> sandbox == null || sandbox.equals(j.getString("sandbox"))).toList());
            return !lines.get().isEmpty();
        });
        assertThat(lines.get()).as("lines for %s", path).hasSize(1);
        return lines.get().get(0);
    }

    private static List<JsonObject> linesFor(String path) {
        if (!Files.exists(LOG)) {
            return List.of();
        }
        List<String> all;
        try {
            all = Files.readAllLines(LOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.stream()
                .filter(l -> l.contains(" " + AccessLog.LOGGER + " - {"))
                .map(l -> new JsonObject(l.substring(l.indexOf('{'))))
                .filter(j -> path.equals(j.getString("path")))
                .toList();
    }
}
