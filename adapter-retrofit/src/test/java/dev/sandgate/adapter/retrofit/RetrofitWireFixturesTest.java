package dev.sandgate.adapter.retrofit;

import static dev.sandgate.ports.wire.WireFixtures.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.FileEventListener;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.wire.WireFixtures;
import dev.sandgate.ports.wire.WireFixtures.ErrorFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client reads the golden bodies of the ports test-jar into their domain values and sends exactly the golden
 * request bodies. The broker's {@code BrokerWireFixturesTest} writes and reads the same files, so the two sides of
 * the wire cannot drift apart. JSON is compared as a tree: member order is not part of the wire.
 */
class RetrofitWireFixturesTest {
    private static final String KEY = "test-api-key-0123456789";
    private static final String SESSION_NAME = WireFixtures.SESSION_PREVIEW.name().value();

    private MockWebServer server;
    private SandboxGateway gateway;
    private DataPlane plane;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        SandgateClient client = SandgateClient.builder().baseUrl(server.url("/v0").toString()).workspace("ws")
                .apiKey(KEY).build();
        gateway = client.gateway();
        plane = client.sessionConnector().connect(session(server.url("/s/my-sandbox/" + SESSION_NAME).toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Session session(String url) {
        return new Session(PreviewName.of(SESSION_NAME), url.replaceAll("/$", ""),
                WireFixtures.TOKEN.value(), Instant.parse("2026-11-24T09:00:00Z"));
    }

    private void answer(String fixture) {
        answer(200, read(fixture));
    }

    private void answer(int code, String body) {
        server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
                .body(body).build());
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the server").isNotNull();
        return r;
    }

    private static Object tree(String json) throws IOException {
        return WireJson.MOSHI.adapter(Object.class).fromJson(json);
    }

    private void assertSent(String fixture) throws Exception {
        RecordedRequest r = take();
        assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(tree(r.getBody().string(StandardCharsets.UTF_8))).isEqualTo(tree(read(fixture)));
    }

    // ---- control plane ----

    @Test
    void a_sandbox_is_read_into_the_fixture_value() {
        answer("sandbox.json");
        answer("sandbox-minimal.json");
        assertThat(gateway.findSandbox(WireFixtures.SANDBOX_NAME)).hasValue(WireFixtures.SANDBOX);
        assertThat(gateway.findSandbox(WireFixtures.SANDBOX_MINIMAL.name())).hasValue(WireFixtures.SANDBOX_MINIMAL);
    }

    @Test
    void the_sandbox_list_is_read_as_a_bare_array_and_as_a_page() {
        answer("sandbox-list.json");
        answer("sandbox-page.json");
        assertThat(gateway.listSandboxes()).isEqualTo(WireFixtures.SANDBOX_LIST);
        assertThat(gateway.listSandboxes()).isEqualTo(WireFixtures.SANDBOX_LIST);
    }

    @Test
    void create_sends_the_sdk_create_body() throws Exception {
        answer("sandbox.json");
        gateway.createSandbox(WireFixtures.SANDBOX_CREATE);
        assertSent("request/sandbox-create.json");
    }

    @Test
    void previews_are_read_into_the_fixture_values() {
        answer("preview.json");
        answer("session-preview.json");
        answer("preview-list.json");
        answer("preview-deleted.json");
        assertThat(gateway.findPreview(WireFixtures.SANDBOX_NAME, WireFixtures.PREVIEW.name()))
                .hasValue(WireFixtures.PREVIEW);
        assertThat(gateway.findPreview(WireFixtures.SANDBOX_NAME, WireFixtures.SESSION_PREVIEW.name()))
                .hasValue(WireFixtures.SESSION_PREVIEW);
        assertThat(gateway.listPreviews(WireFixtures.SANDBOX_NAME)).isEqualTo(WireFixtures.PREVIEW_LIST);
        assertThat(gateway.deletePreview(WireFixtures.SANDBOX_NAME, WireFixtures.PREVIEW.name()))
                .isEqualTo(WireFixtures.PREVIEW_DELETED);
    }

    @Test
    void preview_creates_send_the_sdk_bodies() throws Exception {
        answer("preview.json");
        answer("session-preview.json");
        gateway.createPreview(WireFixtures.SANDBOX_NAME, WireFixtures.PREVIEW_CREATE);
        assertSent("request/preview-create.json");
        gateway.createPreview(WireFixtures.SANDBOX_NAME, WireFixtures.SESSION_PREVIEW_CREATE);
        assertSent("request/session-preview-create.json");
    }

    @Test
    void tokens_are_minted_with_the_sdk_body_and_read_with_their_secret() throws Exception {
        answer("token.json");
        answer("token-list.json");
        var preview = WireFixtures.SESSION_PREVIEW.name();
        assertThat(gateway.createToken(WireFixtures.SANDBOX_NAME, preview, WireFixtures.TOKEN_NAME,
                WireFixtures.TOKEN_EXPIRES_AT)).isEqualTo(WireFixtures.TOKEN);
        assertSent("request/token-create.json");
        assertThat(gateway.listTokens(WireFixtures.SANDBOX_NAME, preview)).isEqualTo(WireFixtures.TOKEN_LIST);
    }

    // ---- sandbox API ----

    @Test
    void exec_sends_the_fixture_bodies() throws Exception {
        answer("process-running.json");
        answer("process-completed.json");
        answer("process-failed.json");
        assertThat(plane.exec(WireFixtures.EXEC_WAIT_FOR_PORTS)).isEqualTo(WireFixtures.PROCESS_RUNNING);
        assertSent("request/exec-wait-for-ports.json");
        assertThat(plane.exec(WireFixtures.EXEC_WAIT_FOR_COMPLETION)).isEqualTo(WireFixtures.PROCESS_COMPLETED);
        assertSent("request/exec-wait-for-completion.json");
        assertThat(plane.exec(WireFixtures.EXEC_EVERY_OPTION)).isEqualTo(WireFixtures.PROCESS_FAILED);
        assertSent("request/exec-every-option.json");
    }

    @Test
    void a_process_a_session_started_is_read_with_its_session_and_an_exec_on_behalf_of_one_names_it()
            throws Exception {
        answer("process-started-by-session.json");
        answer("process-started-by-session.json");
        assertThat(plane.exec(WireFixtures.EXEC_STARTED_BY_SESSION)).isEqualTo(WireFixtures.PROCESS_STARTED_BY_SESSION);
        assertSent("request/exec-started-by-session.json");
        ProcessInfo read = plane.getProcess("dev-server");
        assertThat(read.startedBy()).contains(PreviewName.of("session-1795424406633"));
        assertThat(read).isEqualTo(WireFixtures.PROCESS_STARTED_BY_SESSION);
    }

    @Test
    void processes_and_their_logs_are_read_into_the_fixture_values() throws Exception {
        answer("process-killed.json");
        answer("process-list.json");
        answer("logs.json");
        answer("process-out-of-memory.json");
        assertThat(plane.getProcess("victim")).isEqualTo(WireFixtures.PROCESS_KILLED);
        assertThat(take().getUrl().encodedPath()).isEqualTo("/s/my-sandbox/" + SESSION_NAME + "/process/victim");
        assertThat(plane.listProcesses()).isEqualTo(WireFixtures.PROCESS_LIST);
        assertThat(plane.logs("12946")).isEqualTo(WireFixtures.LOGS);
        assertThat(plane.getProcess("hog")).isEqualTo(WireFixtures.PROCESS_OUT_OF_MEMORY);
    }

    @Test
    void stop_and_kill_read_the_acknowledgement_then_the_process() throws Exception {
        answer("message/process-stopped.json");
        answer("process-killed.json");
        answer("message/process-killed.json");
        answer("process-killed.json");
        assertThat(plane.stopProcess("victim")).isEqualTo(WireFixtures.PROCESS_KILLED);
        RecordedRequest stop = take();
        assertThat(stop.getMethod()).isEqualTo("DELETE");
        assertThat(stop.getUrl().encodedPath()).endsWith("/process/victim");
        take();
        plane.killProcess("victim");
        RecordedRequest kill = take();
        assertThat(kill.getMethod()).isEqualTo("DELETE");
        assertThat(kill.getUrl().encodedPath()).endsWith("/process/victim/kill");
    }

    @Test
    void the_acknowledgements_are_read_as_messages() throws IOException {
        for (String name : List.of("process-stopped", "process-killed", "file-written", "directory-created",
                "file-removed", "stdin-written", "stdin-closed")) {
            Wire.Message m = WireJson.adapter(Wire.Message.class).fromJson(read("message/" + name + ".json"));
            assertThat(m.message()).as(name).endsWith("successfully");
        }
    }

    @Test
    void files_and_directories_are_read_into_the_fixture_values() throws Exception {
        answer("file.json");
        answer("file.json");
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/octet-stream")
                .body(new okio.Buffer().write(WireFixtures.FILE_CONTENT.bytes())).build());
        answer("directory.json");
        assertThat(plane.stat(WireFixtures.FILE.path())).isEqualTo(WireFixtures.FILE);
        assertThat(take().getUrl().encodedPath()).endsWith("/filesystem/%2Ftmp%2Fa.txt");
        var content = plane.readFile(WireFixtures.FILE.path());
        assertThat(content.entry()).isEqualTo(WireFixtures.FILE);
        assertThat(content.bytes()).isEqualTo(WireFixtures.FILE_CONTENT.bytes());
        take();
        assertThat(take().getHeaders().get("Accept")).isEqualTo("application/octet-stream");
        assertThat(plane.listDirectory(WireFixtures.DIRECTORY.path())).isEqualTo(WireFixtures.DIRECTORY);
    }

    @Test
    void mkdir_sends_the_sdk_body() throws Exception {
        answer("message/directory-created.json");
        answer("directory.json");
        plane.makeDirectory(SandboxPath.of("/tmp"), WireFixtures.MKDIR_PERMISSIONS);
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r.getMethod()).isEqualTo("PUT");
        assertThat(r.getUrl().encodedPath()).endsWith("/filesystem/%2Ftmp");
        assertThat(tree(r.getBody().string(StandardCharsets.UTF_8))).isEqualTo(tree(read("request/mkdir.json")));
    }

    @Test
    void find_and_grep_are_read_into_the_fixture_matches() throws Exception {
        answer("find.json");
        answer("grep.json");
        assertThat(plane.find(SandboxPath.of("/app"), FindQuery.everything())).isEqualTo(WireFixtures.FIND);
        assertThat(take().getUrl().encodedPath()).endsWith("/filesystem-find/%2Fapp");
        assertThat(plane.grep(SandboxPath.of("/app"), GrepQuery.of(WireFixtures.GREP_QUERY)))
                .isEqualTo(WireFixtures.GREP);
        assertThat(take().getUrl().queryParameter("query")).isEqualTo(WireFixtures.GREP_QUERY);
    }

    @Test
    void the_streamed_exec_replays_the_fixture_lines_and_reads_its_result() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .chunkedBody(read("stream/exec.ndjson"), 16).build());
        Recorder recorder = new Recorder();

        var info = plane.execStreaming(WireFixtures.EXEC_WAIT_FOR_COMPLETION, recorder);

        assertThat(info).isEqualTo(WireFixtures.PROCESS_COMPLETED);
        assertThat(recorder.lines).isEqualTo(WireFixtures.EXEC_STREAM_LINES);
        assertThat(recorder.ended.getCount()).isZero();
        RecordedRequest r = take();
        assertThat(r.getHeaders().get("Accept")).isEqualTo("text/event-stream");
        assertThat(tree(r.getBody().string(StandardCharsets.UTF_8)))
                .isEqualTo(tree(read("request/exec-wait-for-completion.json")));
    }

    @Test
    void the_log_stream_is_read_into_the_fixture_lines() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain; charset=utf-8")
                .chunkedBody(read("stream/logs.txt"), 5).build());
        Recorder recorder = new Recorder();
        plane.streamLogs("web", recorder);
        assertThat(recorder.ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.lines).isEqualTo(WireFixtures.LOG_STREAM_LINES);
        assertThat(take().getUrl().encodedPath()).endsWith("/process/web/logs/stream");
    }

    @Test
    void the_watch_stream_is_read_into_the_fixture_events() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .chunkedBody(read("stream/watch.ndjson"), 9).build());
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        plane.watch(SandboxPath.of("/app"), List.of("node_modules"), new FileEventListener() {
            @Override
            public void onEvent(FileEvent event) {
                events.add(event);
            }

            @Override
            public void onError(SandgateException error) {
                ended.countDown();
            }
        });
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).isEqualTo(WireFixtures.WATCH_EVENTS);
        RecordedRequest r = take();
        assertThat(r.getUrl().encodedPath()).endsWith("/watch/filesystem/%2Fapp");
        assertThat(r.getUrl().queryParameter("ignore")).isEqualTo("node_modules");
    }

    @Test
    void a_stream_the_broker_closes_for_its_reader_ends_with_the_reason() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .body(read("stream/exec-ended-early.ndjson")).build());
        Recorder recorder = new Recorder();
        assertThatThrownBy(() -> plane.execStreaming(WireFixtures.EXEC_WAIT_FOR_COMPLETION, recorder))
                .isExactlyInstanceOf(SandgateException.Unavailable.class)
                .hasMessageEndingWith("closed by the server: the session was deleted");
        assertThat(recorder.lines).containsExactly(LogLine.stdout("a"));
        assertThat(recorder.error).isNotNull();

        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/x-ndjson")
                .body(read("stream/watch-ended-early.ndjson")).build());
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        List<SandgateException> errors = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        plane.watch(SandboxPath.of("/app"), List.of(), new FileEventListener() {
            @Override
            public void onEvent(FileEvent event) {
                events.add(event);
            }

            @Override
            public void onError(SandgateException error) {
                errors.add(error);
                ended.countDown();
            }
        });
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(events).isEmpty();
        assertThat(errors).singleElement().satisfies(e -> assertThat(e)
                .hasMessageEndingWith("closed by the server: the session was deleted"));
    }

    @Test
    void a_log_stream_the_broker_closes_ends_with_the_reason_and_its_notes_are_not_output() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain; charset=utf-8")
                .body(read("stream/logs-ended-early.txt")).build());
        Recorder recorder = new Recorder();
        CountDownLatch failed = new CountDownLatch(1);
        plane.streamLogs("web", new LogListener() {
            @Override
            public void onLine(LogLine line) {
                recorder.onLine(line);
            }

            @Override
            public void onEnd() {
                recorder.onEnd();
            }

            @Override
            public void onError(SandgateException error) {
                recorder.onError(error);
                failed.countDown();
            }
        });
        assertThat(failed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(recorder.lines).containsExactly(LogLine.stdout("a"));
        assertThat(recorder.error).hasMessageEndingWith("closed by the server: the session was deleted");
    }

    // ---- errors ----

    static Stream<ErrorFixture> errors() {
        return WireFixtures.ERRORS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void error_bodies_become_the_domain_error_they_stand_for(ErrorFixture fixture) {
        answer(fixture.status(), read(fixture.file()));
        SandgateException expected = fixture.error();
        Runnable call = fixture.sandboxApi() ? () -> plane.getProcess("web")
                : () -> gateway.deleteSandbox(WireFixtures.SANDBOX_NAME);

        assertThatThrownBy(call::run)
                .isExactlyInstanceOf(expected.getClass())
                .isInstanceOfSatisfying(SandgateException.class, e -> assertThat(e.code()).isEqualTo(expected.code()))
                .hasMessageStartingWith("HTTP " + fixture.status())
                .hasMessageEndingWith(": " + expected.getMessage());
    }

    // ---- the session's sandbox ----

    @Test
    void a_session_data_plane_reports_the_sandbox_its_url_names() {
        assertThat(plane.sandbox()).isEqualTo(WireFixtures.SANDBOX_NAME);
    }

    @Test
    void a_session_url_that_names_no_sandbox_reports_the_placeholder_or_the_name_given() {
        SandgateClient client = SandgateClient.builder().baseUrl(server.url("/v0").toString()).build();
        Session opaque = session("https://a1b2c3d4.preview.bl.run");
        Session otherShape = session(server.url("/s/my-sandbox/another-preview").toString());

        assertThat(client.sessionConnector().connect(opaque).sandbox())
                .isEqualTo(SandgateClient.UNNAMED_SESSION_SANDBOX);
        assertThat(client.sessionConnector().connect(otherShape).sandbox())
                .as("the last segment must be the session's own name").isEqualTo(SandgateClient.UNNAMED_SESSION_SANDBOX);
        assertThat(client.sessionConnector("my-sandbox").connect(opaque).sandbox()).isEqualTo(WireFixtures.SANDBOX_NAME);
    }

    private static final class Recorder implements LogListener {
        final List<LogLine> lines = new CopyOnWriteArrayList<>();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile SandgateException error;

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
            this.error = error;
        }
    }
}
