package dev.sandgate.adapter.retrofit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.SandboxGateway;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pins the exact requests the client sends and how it reads every kind of answer. */
class RetrofitWireFormatTest {
    private static final String KEY = "test-api-key-0123456789";
    private static final String SANDBOX_JSON = """
            {"metadata":{"name":"my-sandbox","workspace":"ws","url":"%s","createdAt":"2026-11-23T09:00:00Z",
             "updatedAt":"2026-11-23T09:00:01.5Z","labels":{"team":"a"}},
             "spec":{"runtime":{"image":"blaxel/base-image:latest","memory":4096,
             "ports":[{"name":"web","target":3000,"protocol":"HTTP"}],"envs":[{"name":"A","value":"1"}]}},
             "status":"DEPLOYED"}""";

    private MockWebServer server;
    private SandboxGateway gateway;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        gateway = SandgateClient.builder().baseUrl(server.url("/v0").toString()).workspace("ws").apiKey(KEY)
                .build().gateway();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String dataUrl() {
        return server.url("/ws/sandboxes/my-sandbox").toString();
    }

    private void json(int code, String body) {
        server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build());
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the server").isNotNull();
        return r;
    }

    /** JSON compared as a tree: member order is not part of the wire format. */
    private static Object tree(String json) throws java.io.IOException {
        return WireJson.MOSHI.adapter(Object.class).fromJson(json);
    }

    private static String body(RecordedRequest r) {
        return r.getBody() == null ? "" : r.getBody().string(StandardCharsets.UTF_8);
    }

    @Test
    void create_sandbox_posts_the_sdk_body_with_the_api_key_headers() throws Exception {
        json(200, SANDBOX_JSON.formatted(dataUrl()));
        var sandbox = gateway.createSandbox(SandboxSpec.of(SandboxName.of("my-sandbox"))
                .withPorts(List.of(PortSpec.http("web", 3000))).withLabels(Map.of("team", "a")));

        RecordedRequest r = take();
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v0/sandboxes");
        assertThat(r.getHeaders().get("X-Blaxel-Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(r.getHeaders().get("X-Blaxel-Workspace")).isEqualTo("ws");
        assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(tree(body(r))).isEqualTo(tree("{\"metadata\":{\"name\":\"my-sandbox\",\"labels\":{\"team\":\"a\"}},"
                + "\"spec\":{\"runtime\":{\"image\":\"blaxel/base-image:latest\",\"memory\":4096,"
                + "\"ports\":[{\"name\":\"web\",\"target\":3000,\"protocol\":\"HTTP\"}]}}}"));
        assertThat(sandbox.name().value()).isEqualTo("my-sandbox");
        assertThat(sandbox.status()).isEqualTo(SandboxStatus.DEPLOYED);
        assertThat(sandbox.url()).isEqualTo(dataUrl());
        assertThat(sandbox.envs()).hasSize(1);
        assertThat(sandbox.updatedAt()).isEqualTo(Instant.parse("2026-11-23T09:00:01.5Z"));
    }

    @Test
    void list_accepts_a_bare_array_and_the_paginated_form() throws Exception {
        json(200, "[" + SANDBOX_JSON.formatted(dataUrl()) + "]");
        json(200, "{\"data\":[" + SANDBOX_JSON.formatted(dataUrl()) + "],\"meta\":{\"hasMore\":false}}");
        assertThat(gateway.listSandboxes()).hasSize(1);
        assertThat(gateway.listSandboxes()).hasSize(1);
        assertThat(take().getUrl().encodedPath()).isEqualTo("/v0/sandboxes");
    }

    @Test
    void find_of_an_unknown_sandbox_is_empty_and_other_errors_are_typed() throws Exception {
        json(404, "{\"code\":404,\"error\":\"NOT_FOUND\",\"message\":\"Sandbox nope not found\"}");
        assertThat(gateway.findSandbox(SandboxName.of("nope"))).isEmpty();
        assertThat(take().getUrl().encodedPath()).isEqualTo("/v0/sandboxes/nope");

        json(409, "{\"code\":409,\"error\":\"SANDBOX_ALREADY_EXISTS\",\"message\":\"exists\"}");
        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(SandboxName.of("x"))))
                .isInstanceOf(SandgateException.Conflict.class)
                .hasMessage("HTTP 409 SANDBOX_ALREADY_EXISTS: exists");

        json(401, "{\"code\":401,\"error\":\"UNAUTHORIZED\",\"message\":\"bad key\"}");
        assertThatThrownBy(() -> gateway.deleteSandbox(SandboxName.of("x")))
                .isInstanceOf(SandgateException.Unauthorized.class).hasMessageContaining("401");
    }

    @Test
    void malformed_and_non_json_bodies_become_typed_errors() {
        json(200, "{not json");
        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(SandboxName.of("x"))))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("malformed response");

        json(200, "{\"metadata\":{}}");
        assertThatThrownBy(() -> gateway.deleteSandbox(SandboxName.of("x")))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("metadata.name");

        server.enqueue(new MockResponse.Builder().code(500).body("<html>oops</html>").build());
        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(SandboxName.of("x"))))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("HTTP 500")
                .hasMessageContaining("oops");

        server.enqueue(new MockResponse.Builder().code(400)
                .body("{\"error\":\"process with name 'web' already exists and is running\",\"code\":400,\"reason\":\"CONFLICT\"}").build());
        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(SandboxName.of("x"))))
                .isInstanceOf(SandgateException.Conflict.class).hasMessageContaining("already exists");

        server.enqueue(new MockResponse.Builder().code(422).body("{\"error\":\"folder missing\"}").build());
        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(SandboxName.of("x"))))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE))
                .hasMessage("HTTP 422: folder missing");
    }

    @Test
    void idempotent_reads_are_retried_on_503_and_resets_but_writes_are_not() throws Exception {
        server.enqueue(new MockResponse.Builder().code(503).build());
        server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket(true, true, true)).build());
        json(200, "[]");
        assertThat(gateway.listSandboxes()).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(3);

        server.enqueue(new MockResponse.Builder().code(503).body("{\"code\":503,\"error\":\"UNAVAILABLE\",\"message\":\"busy\"}").build());
        json(200, SANDBOX_JSON.formatted(dataUrl()));
        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(SandboxName.of("x"))))
                .isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("busy");
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void retries_are_bounded() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().code(502).build());
        }
        json(200, "[]");
        assertThatThrownBy(() -> gateway.listSandboxes()).isInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("HTTP 502");
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void previews_and_tokens_follow_the_wire_shapes() throws Exception {
        String preview = """
                {"metadata":{"name":"session-1","resourceName":"my-sandbox","resourceType":"sandbox"},
                 "spec":{"port":443,"public":false,"url":"http://h/s/my-sandbox/session-1","expires":"2026-11-24T09:00:00Z",
                 "responseHeaders":{"Access-Control-Allow-Origin":"http://app.test"}}}""";
        json(200, preview);
        var created = gateway.createPreview(SandboxName.of("my-sandbox"),
                new PreviewSpec(PreviewName.of("session-1"), Port.SANDBOX_API, false,
                        HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "http://app.test")), HttpHeaders.NONE,
                        Optional.of(Instant.parse("2026-11-24T09:00:00Z"))));
        RecordedRequest r = take();
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v0/sandboxes/my-sandbox/previews");
        assertThat(tree(body(r))).isEqualTo(tree("{\"metadata\":{\"name\":\"session-1\"},\"spec\":{\"port\":443,\"public\":false,"
                + "\"expires\":\"2026-11-24T09:00:00Z\",\"responseHeaders\":{\"Access-Control-Allow-Origin\":\"http://app.test\"}}}"));
        assertThat(created.isSandboxApi()).isTrue();
        assertThat(created.url()).isEqualTo("http://h/s/my-sandbox/session-1");

        json(200, "[" + preview + "]");
        assertThat(gateway.listPreviews(SandboxName.of("my-sandbox"))).hasSize(1);
        take();

        String token = """
                {"metadata":{"name":"token-1","previewName":"session-1","resourceName":"my-sandbox"},
                 "spec":{"token":"bxp_abcdefghijklmnopqrstuvwxyz012345","expiresAt":"2026-11-24T09:00:00.000Z","expired":false}}""";
        json(200, token);
        var minted = gateway.createToken(SandboxName.of("my-sandbox"), PreviewName.of("session-1"),
                TokenName.of("token-1"), Instant.parse("2026-11-24T09:00:00Z"));
        r = take();
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v0/sandboxes/my-sandbox/previews/session-1/tokens");
        assertThat(tree(body(r))).isEqualTo(tree("{\"metadata\":{\"name\":\"token-1\"},\"spec\":{\"expiresAt\":\"2026-11-24T09:00:00Z\"}}"));
        assertThat(minted.value().value()).isEqualTo("bxp_abcdefghijklmnopqrstuvwxyz012345");
        assertThat(minted.toString()).doesNotContain("bxp_");

        json(200, token);
        gateway.deleteToken(SandboxName.of("my-sandbox"), PreviewName.of("session-1"), TokenName.of("token-1"));
        r = take();
        assertThat(r.getMethod()).isEqualTo("DELETE");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v0/sandboxes/my-sandbox/previews/session-1/tokens/token-1");
    }

    @Test
    void revoke_all_and_renewal_in_place_post_sandgate_s_own_bodies_with_the_api_key() throws Exception {
        json(200, "{\"revoked\":3}");
        int revoked = gateway.revokeSessions(SandboxName.of("my-sandbox"),
                Optional.of(dev.sandgate.domain.SessionSubject.of("user-42")));
        RecordedRequest r = take();
        assertThat(revoked).isEqualTo(3);
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v0/sandboxes/my-sandbox/sessions/revoke");
        assertThat(r.getHeaders().get("x-blaxel-authorization")).isEqualTo("Bearer " + KEY);
        assertThat(tree(body(r))).isEqualTo(tree("{\"subject\":\"user-42\"}"));

        json(200, "{\"revoked\":0}");
        gateway.revokeSessions(SandboxName.of("my-sandbox"), Optional.empty());
        assertThat(tree(body(take()))).isEqualTo(tree("{}"));

        json(200, """
                {"metadata":{"name":"session-1","resourceName":"my-sandbox","resourceType":"sandbox"},
                 "spec":{"port":443,"public":false,"url":"http://h/s/my-sandbox/session-1","expires":"2026-11-24T18:00:00Z"},
                 "sandgate":{"maxExpiresAt":"2026-11-24T18:00:00Z"}}""");
        var renewed = gateway.renewSession(SandboxName.of("my-sandbox"), PreviewName.of("session-1"),
                Instant.parse("2026-11-25T09:00:00Z"));
        r = take();
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v0/sandboxes/my-sandbox/sessions/session-1/renew");
        assertThat(tree(body(r))).isEqualTo(tree("{\"expiresAt\":\"2026-11-25T09:00:00Z\"}"));
        assertThat(renewed.expires()).contains(Instant.parse("2026-11-24T18:00:00Z"));

        json(422, "{\"error\":\"session session-1 is not renewable in place\",\"code\":422}");
        assertThatThrownBy(() -> gateway.renewSession(SandboxName.of("my-sandbox"), PreviewName.of("session-1"),
                Instant.parse("2026-11-25T09:00:00Z"))).isInstanceOf(SandgateException.InvalidRequest.class)
                .hasMessageContaining("not renewable in place");
        take();
    }

    private DataPlane dataPlane() throws InterruptedException {
        json(200, SANDBOX_JSON.formatted(dataUrl()));
        DataPlane plane = gateway.dataPlane(SandboxName.of("my-sandbox"));
        take();
        return plane;
    }

    @Test
    void exec_sends_the_process_request_and_reads_the_process_response() throws Exception {
        DataPlane plane = dataPlane();
        json(200, """
                {"pid":"12946","name":"web","command":"python3 -m http.server 3000","status":"running",
                 "startedAt":"Mon, 23 Nov 2026 09:00:07 GMT","completedAt":"","exitCode":0,"workingDir":"/app",
                 "restartOnFailure":false,"maxRestarts":0,"restartCount":0,"keepAlive":false}""");
        var info = plane.exec(ProcessSpec.of("python3 -m http.server 3000").withName("web").withWorkingDir("/app")
                .withWaitForPorts(3000).withEnv(Map.of("A", "1")));
        RecordedRequest r = take();
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/ws/sandboxes/my-sandbox/process");
        assertThat(r.getHeaders().get("X-Blaxel-Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(tree(body(r))).isEqualTo(tree("{\"command\":\"python3 -m http.server 3000\",\"name\":\"web\",\"workingDir\":\"/app\","
                + "\"env\":{\"A\":\"1\"},\"waitForPorts\":[3000]}"));
        assertThat(info.pid()).isEqualTo("12946");
        assertThat(info.status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(info.startedAt()).isEqualTo(Instant.parse("2026-11-23T09:00:07Z"));
        assertThat(info.completedAt()).isEmpty();
        assertThat(info.exitCode()).isEmpty();
    }

    @Test
    void a_process_killed_for_lack_of_memory_reads_as_failed_137_and_out_of_memory() throws Exception {
        DataPlane plane = dataPlane();
        json(200, """
                {"pid":"7","name":"hog","command":"python3 hog.py","status":"failed",
                 "startedAt":"Mon, 23 Nov 2026 09:00:07 GMT","completedAt":"Mon, 23 Nov 2026 09:00:08 GMT",
                 "exitCode":137,"workingDir":"/","oomKilled":true,
                 "restartOnFailure":false,"maxRestarts":0,"restartCount":0,"keepAlive":false}""");

        var info = plane.getProcess("7");

        assertThat(info.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(info.exitCode()).contains(137);
        assertThat(info.outOfMemory()).isTrue();
    }

    @Test
    void process_identifiers_and_file_paths_are_encoded_as_one_segment() throws Exception {
        DataPlane plane = dataPlane();
        server.enqueue(new MockResponse.Builder().code(404).body("{\"error\":\"process not found\"}").build());
        assertThatThrownBy(() -> plane.getProcess("a/b c"))
                .isInstanceOf(SandgateException.NotFound.class).hasMessage("HTTP 404: process not found");
        assertThat(take().getUrl().encodedPath()).isEqualTo("/ws/sandboxes/my-sandbox/process/a%2Fb%20c");

        json(200, """
                {"name":"a.txt","path":"/tmp/a.txt","size":2,"permissions":"-rw-r--r--","lastModified":"2026-11-23T09:00:00Z","content":"hi"}""");
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/octet-stream")
                .body(new okio.Buffer().write(new byte[] {0, (byte) 0xff})).build());
        var content = plane.readFile(SandboxPath.of("/tmp/a.txt"));
        RecordedRequest meta = take();
        RecordedRequest bytes = take();
        assertThat(meta.getUrl().encodedPath()).isEqualTo("/ws/sandboxes/my-sandbox/filesystem/%2Ftmp%2Fa.txt");
        assertThat(bytes.getHeaders().get("Accept")).isEqualTo("application/octet-stream");
        assertThat(content.bytes()).containsExactly(0, 0xff);
        assertThat(content.entry().permissions()).isEqualTo("0644");
    }

    @Test
    void binary_write_is_a_multipart_put_with_the_file_field() throws Exception {
        DataPlane plane = dataPlane();
        json(200, "{\"message\":\"ok\",\"path\":\"/b.bin\"}");
        json(200, "{\"name\":\"b.bin\",\"path\":\"/b.bin\",\"size\":3,\"permissions\":\"0600\",\"content\":\"\"}");
        var entry = plane.writeFile(SandboxPath.of("/b.bin"), new byte[] {1, 2, 3}, Optional.of("0600"));
        RecordedRequest r = take();
        assertThat(r.getMethod()).isEqualTo("PUT");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/ws/sandboxes/my-sandbox/filesystem/%2Fb.bin");
        assertThat(r.getHeaders().get("Content-Type")).startsWith("multipart/form-data");
        assertThat(body(r)).contains("name=\"file\"", "name=\"permissions\"", "0600");
        assertThat(entry.permissions()).isEqualTo("0600");
    }

    @Test
    void log_stream_splits_prefixed_lines_ignores_keepalives_and_ends_at_eof() throws Exception {
        DataPlane plane = dataPlane();
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain")
                .chunkedBody("stdout:one\n[keepalive]\nstderr:two\nstdout:\n", 5).build());
        List<LogLine> lines = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        plane.streamLogs("web", new LogListener() {
            @Override
            public void onLine(LogLine line) {
                lines.add(line);
            }

            @Override
            public void onEnd() {
                ended.countDown();
            }

            @Override
            public void onError(SandgateException error) {
            }
        });
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).containsExactly(LogLine.stdout("one"), LogLine.stderr("two"), LogLine.stdout(""));
        assertThat(take().getUrl().encodedPath()).isEqualTo("/ws/sandboxes/my-sandbox/process/web/logs/stream");
    }

    @Test
    void streamed_exec_asks_for_ndjson_and_reads_lines_keepalives_and_the_result() throws Exception {
        DataPlane plane = dataPlane();
        String result = "{\\\"pid\\\":\\\"7\\\",\\\"name\\\":\\\"job\\\",\\\"command\\\":\\\"x\\\",\\\"status\\\":\\\"completed\\\",\\\"exitCode\\\":0}";
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .chunkedBody("{\"type\":\"stdout\",\"data\":\"a\\n\"}\n{\"type\":\"keepalive\"}\n"
                        + "{\"type\":\"stderr\",\"data\":\"b\"}\n{\"type\":\"result\",\"data\":\"" + result + "\"}\n", 7)
                .build());
        List<LogLine> lines = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        var info = plane.execStreaming(ProcessSpec.of("x").withName("job"), new LogListener() {
            @Override
            public void onLine(LogLine line) {
                lines.add(line);
            }

            @Override
            public void onEnd() {
                ended.countDown();
            }

            @Override
            public void onError(SandgateException error) {
            }
        });
        RecordedRequest r = take();
        assertThat(r.getHeaders().get("Accept")).isEqualTo("text/event-stream");
        assertThat(tree(body(r))).isEqualTo(tree("{\"command\":\"x\",\"name\":\"job\",\"waitForCompletion\":true}"));
        assertThat(lines).containsExactly(LogLine.stdout("a"), LogLine.stderr("b"));
        assertThat(ended.getCount()).isZero();
        assertThat(info.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(info.pid()).isEqualTo("7");
    }

    @Test
    void streamed_exec_without_a_result_is_an_error() throws Exception {
        DataPlane plane = dataPlane();
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .body("{\"type\":\"stdout\",\"data\":\"a\"}\n").build());
        assertThatThrownBy(() -> plane.execStreaming(ProcessSpec.of("x"), new LogListener() {
            @Override
            public void onLine(LogLine line) {
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onError(SandgateException error) {
            }
        })).isInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("no result");
    }

    @Test
    void a_session_sends_only_its_token_to_its_own_url() throws Exception {
        Session session = new Session(PreviewName.of("session-1"), server.url("/s/my-sandbox/session-1").toString()
                .replaceAll("/$", ""), TokenValue.of("bxp_abcdefghijklmnopqrstuvwxyz012345"),
                Instant.now().plusSeconds(3600));
        var client = SandgateClient.builder().baseUrl(server.url("/v0").toString()).workspace("ws").apiKey(KEY).build();
        DataPlane plane = client.sessionConnector().connect(session);
        json(200, "[]");
        assertThat(plane.listProcesses()).isEmpty();
        RecordedRequest r = take();
        assertThat(r.getUrl().encodedPath()).isEqualTo("/s/my-sandbox/session-1/process");
        assertThat(r.getHeaders().get("X-Blaxel-Preview-Token")).isEqualTo("bxp_abcdefghijklmnopqrstuvwxyz012345");
        assertThat(r.getHeaders().get("X-Blaxel-Authorization")).isNull();
        assertThat(r.getHeaders().get("Authorization")).isNull();
        assertThat(r.getHeaders().get("X-Blaxel-Workspace")).isNull();
    }

    @Test
    void empty_and_wrongly_typed_success_bodies_are_malformed_answers_not_parser_errors() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").build());
        assertThatThrownBy(() -> gateway.deleteSandbox(SandboxName.of("x")))
                .isExactlyInstanceOf(SandgateException.Unavailable.class)
                .hasMessageStartingWith("malformed response to DELETE /v0/sandboxes/x");

        json(200, "[]");
        assertThatThrownBy(() -> gateway.deleteSandbox(SandboxName.of("x")))
                .isExactlyInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("malformed response");

        DataPlane plane = dataPlane();
        json(200, "{\"pid\":{\"no\":1},\"command\":\"x\"}");
        assertThatThrownBy(() -> plane.getProcess("web"))
                .isExactlyInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("malformed response");

        json(200, "{\"pid\":\"1\",\"command\":\"x\"} trailing");
        assertThatThrownBy(() -> plane.getProcess("web"))
                .isExactlyInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("malformed response");
    }

    @Test
    void a_refused_connection_and_a_timeout_are_unavailable_not_io_exceptions() throws Exception {
        var slow = SandgateClient.builder().baseUrl(server.url("/v0").toString()).apiKey(KEY)
                .readTimeout(java.time.Duration.ofMillis(200)).maxRetries(0).build().gateway();
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(2, TimeUnit.SECONDS).body("[]").build());
        assertThatThrownBy(slow::listSandboxes).isExactlyInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("GET /v0/sandboxes timed out");

        var closed = new MockWebServer();
        closed.start();
        String url = closed.url("/v0").toString();
        closed.close();
        var refused = SandgateClient.builder().baseUrl(url).apiKey(KEY).maxRetries(0).build().gateway();
        assertThatThrownBy(refused::listSandboxes).isExactlyInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("GET /v0/sandboxes failed");
    }

    @Test
    void a_process_identifier_that_climbs_is_an_invalid_request_and_nothing_is_sent() throws Exception {
        DataPlane plane = dataPlane();
        int before = server.getRequestCount();
        assertThatThrownBy(() -> plane.getProcess("..")).isExactlyInstanceOf(SandgateException.InvalidRequest.class);
        assertThat(server.getRequestCount()).isEqualTo(before);
    }

    @Test
    void a_malformed_line_of_the_streamed_exec_is_reported_to_the_listener_and_thrown() throws Exception {
        DataPlane plane = dataPlane();
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .body("{\"type\":\"stdout\",\"data\":\"a\"}\n{not json\n").build());
        List<SandgateException> errors = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> plane.execStreaming(ProcessSpec.of("x"), new LogListener() {
            @Override
            public void onLine(LogLine line) {
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onError(SandgateException error) {
                errors.add(error);
            }
        })).isExactlyInstanceOf(SandgateException.Unavailable.class).hasMessageContaining("malformed response");
        assertThat(errors).hasSize(1);
    }

    @Test
    void builder_refuses_bad_configuration() {
        assertThatThrownBy(() -> SandgateClient.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> SandgateClient.builder().baseUrl("ftp://x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp://x");
        assertThatThrownBy(() -> SandgateClient.builder().maxRetries(-1)).isInstanceOf(IllegalArgumentException.class);
        var noKey = SandgateClient.builder().baseUrl("http://127.0.0.1:1/v0").build();
        assertThatThrownBy(noKey::gateway).isInstanceOf(IllegalStateException.class).hasMessageContaining("API key");
    }
}
