package dev.sandgate.adapter.vertx;

import static dev.sandgate.ports.wire.WireFixtures.BASE;
import static dev.sandgate.ports.wire.WireFixtures.NOW;
import static dev.sandgate.ports.wire.WireFixtures.WORKSPACE;
import static dev.sandgate.ports.wire.WireFixtures.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.wire.WireFixtures;
import dev.sandgate.ports.wire.WireFixtures.ErrorFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The broker writes exactly the golden bodies of the ports test-jar for their domain values, and reads the golden
 * request bodies into theirs. The Java client's {@code RetrofitWireFixturesTest} reads the same files, so the two
 * sides of the wire cannot drift apart. Bodies are compared as JSON trees: member order is not part of the wire.
 */
class BrokerWireFixturesTest {
    private static final UrlScheme URLS = UrlScheme.under(URI.create(BASE), WORKSPACE);

    private static JsonObject object(String fixture) {
        return new JsonObject(read(fixture));
    }

    private static JsonArray array(String fixture) {
        return new JsonArray(read(fixture));
    }

    // ---- control plane ----

    @Test
    void a_sandbox_is_written_as_the_fixture() {
        assertThat(SandboxWire.sandbox(WireFixtures.SANDBOX, WORKSPACE, URLS)).isEqualTo(object("sandbox.json"));
        assertThat(SandboxWire.sandbox(WireFixtures.SANDBOX_MINIMAL, WORKSPACE, URLS))
                .isEqualTo(object("sandbox-minimal.json"));
    }

    @Test
    void the_sandbox_list_is_a_bare_array_of_sandboxes() {
        assertThat(WireJson.list(WireFixtures.SANDBOX_LIST.stream()
                .map(s -> SandboxWire.sandbox(s, WORKSPACE, URLS)).toList())).isEqualTo(array("sandbox-list.json"));
    }

    @Test
    void previews_are_written_as_the_fixtures_with_their_status() {
        assertThat(PreviewWire.preview(WireFixtures.PREVIEW, WORKSPACE, URLS, "DEPLOYED")).isEqualTo(object("preview.json"));
        assertThat(PreviewWire.preview(WireFixtures.SESSION_PREVIEW, WORKSPACE, URLS, "DEPLOYED"))
                .isEqualTo(object("session-preview.json"));
        assertThat(PreviewWire.preview(WireFixtures.PREVIEW_DELETED, WORKSPACE, URLS, "DELETED"))
                .isEqualTo(object("preview-deleted.json"));
        assertThat(WireJson.list(WireFixtures.PREVIEW_LIST.stream()
                .map(p -> PreviewWire.preview(p, WORKSPACE, URLS, "DEPLOYED")).toList()))
                .isEqualTo(array("preview-list.json"));
    }

    @Test
    void tokens_are_written_with_their_secret_and_whether_they_expired() {
        assertThat(PreviewWire.token(WireFixtures.TOKEN, WORKSPACE, NOW)).isEqualTo(object("token.json"));
        assertThat(WireJson.list(WireFixtures.TOKEN_LIST.stream().map(t -> PreviewWire.token(t, WORKSPACE, NOW)).toList()))
                .isEqualTo(array("token-list.json"));
    }

    @Test
    void the_create_bodies_the_sdk_sends_are_read_into_the_fixture_values() {
        JsonObject sandbox = object("request/sandbox-create.json");
        SandboxName name = SandboxName.of(WireJson.metadataName(sandbox).orElseThrow());
        assertThat(SandboxWire.sandboxSpec(sandbox, name, SandboxSpec.of(name))).isEqualTo(WireFixtures.SANDBOX_CREATE);

        JsonObject preview = object("request/preview-create.json");
        assertThat(PreviewWire.previewSpec(preview, PreviewName.of(WireJson.metadataName(preview).orElseThrow()), NOW))
                .isEqualTo(WireFixtures.PREVIEW_CREATE);
        JsonObject session = object("request/session-preview-create.json");
        assertThat(PreviewWire.previewSpec(session, PreviewName.of(WireJson.metadataName(session).orElseThrow()), NOW))
                .isEqualTo(WireFixtures.SESSION_PREVIEW_CREATE);

        JsonObject token = object("request/token-create.json");
        assertThat(WireJson.metadataName(token)).hasValue(WireFixtures.TOKEN_NAME.value());
        assertThat(PreviewWire.tokenExpiry(token)).isEqualTo(WireFixtures.TOKEN_EXPIRES_AT);
    }

    // ---- sandbox API ----

    @Test
    void the_exec_bodies_are_read_into_the_fixture_specs() {
        assertThat(ProcessWire.processSpec(object("request/exec-wait-for-ports.json")))
                .isEqualTo(WireFixtures.EXEC_WAIT_FOR_PORTS);
        assertThat(ProcessWire.processSpec(object("request/exec-wait-for-completion.json")))
                .isEqualTo(WireFixtures.EXEC_WAIT_FOR_COMPLETION);
        assertThat(ProcessWire.processSpec(object("request/exec-every-option.json")))
                .isEqualTo(WireFixtures.EXEC_EVERY_OPTION);
        JsonObject startedBy = object("request/exec-started-by-session.json");
        assertThat(ProcessWire.processSpec(startedBy).withStartedBy(ProcessWire.startedBy(startedBy)))
                .isEqualTo(WireFixtures.EXEC_STARTED_BY_SESSION);
    }

    @Test
    void processes_are_written_as_the_fixtures_running_finished_and_with_their_output() {
        assertThat(ProcessWire.process(WireFixtures.PROCESS_RUNNING)).isEqualTo(object("process-running.json"));
        assertThat(ProcessWire.process(WireFixtures.PROCESS_COMPLETED, WireFixtures.PROCESS_COMPLETED_LOGS))
                .isEqualTo(object("process-completed.json"));
        assertThat(ProcessWire.process(WireFixtures.PROCESS_FAILED)).isEqualTo(object("process-failed.json"));
        assertThat(ProcessWire.process(WireFixtures.PROCESS_KILLED)).isEqualTo(object("process-killed.json"));
        assertThat(ProcessWire.process(WireFixtures.PROCESS_OUT_OF_MEMORY)).isEqualTo(object("process-out-of-memory.json"));
        assertThat(ProcessWire.process(WireFixtures.PROCESS_STARTED_BY_SESSION))
                .isEqualTo(object("process-started-by-session.json"));
        assertThat(WireJson.list(WireFixtures.PROCESS_LIST.stream().map(ProcessWire::process).toList()))
                .isEqualTo(array("process-list.json"));
        assertThat(ProcessWire.logs(WireFixtures.LOGS)).isEqualTo(object("logs.json"));
    }

    @Test
    void files_and_directories_are_written_as_the_fixtures() {
        assertThat(FileWire.fileWithContent(WireFixtures.FILE_CONTENT)).isEqualTo(object("file.json"));
        assertThat(FileWire.directory(WireFixtures.DIRECTORY)).isEqualTo(object("directory.json"));
        assertThat(FileWire.find(WireFixtures.FIND)).isEqualTo(object("find.json"));
        assertThat(FileWire.grep(WireFixtures.GREP, WireFixtures.GREP_QUERY)).isEqualTo(object("grep.json"));
    }

    @Test
    void acknowledgements_are_written_as_the_fixtures() {
        assertThat(WireJson.message("Process stopped successfully")).isEqualTo(object("message/process-stopped.json"));
        assertThat(WireJson.message("Process killed successfully")).isEqualTo(object("message/process-killed.json"));
        assertThat(FileWire.written(WireFixtures.FILE)).isEqualTo(object("message/file-written.json"));
        assertThat(FileWire.written(new FileEntry(WireFixtures.MADE, true, 0, "0755", NOW)))
                .isEqualTo(object("message/directory-created.json"));
        assertThat(FileWire.message("File removed successfully", WireFixtures.WRITTEN))
                .isEqualTo(object("message/file-removed.json"));
        assertThat(ProcessWire.stdinWritten(6)).isEqualTo(object("message/stdin-written.json"));
        assertThat(WireJson.message("Input closed successfully")).isEqualTo(object("message/stdin-closed.json"));
        assertThat(WireJson.health()).isEqualTo(object("message/health.json"));
    }

    @Test
    void the_streamed_exec_writes_the_fixture_lines_and_its_result_as_a_json_string() {
        List<String> lines = WireFixtures.lines("stream/exec.ndjson");
        List<JsonObject> written = Stream.concat(
                WireFixtures.EXEC_STREAM_LINES.stream().map(ProcessWire::streamLine),
                Stream.of(ProcessWire.streamKeepalive(), ProcessWire.streamResult(
                        ProcessWire.process(WireFixtures.PROCESS_COMPLETED, WireFixtures.PROCESS_COMPLETED_LOGS))))
                .toList();

        assertThat(written).hasSameSizeAs(lines);
        for (int i = 0; i < lines.size() - 1; i++) {
            assertThat(written.get(i)).isEqualTo(new JsonObject(lines.get(i)));
            assertThat(WireJson.ndjson(written.get(i)).toString()).endsWith("\n").doesNotContain("\n{");
        }
        JsonObject result = new JsonObject(lines.get(lines.size() - 1));
        JsonObject ours = written.get(written.size() - 1);
        assertThat(ours.getValue("data")).as("data of result is a string").isInstanceOf(String.class);
        assertThat(ours.getString("type")).isEqualTo(result.getString("type"));
        assertThat(new JsonObject(ours.getString("data"))).isEqualTo(new JsonObject(result.getString("data")))
                .isEqualTo(object("process-completed.json"));
    }

    @Test
    void the_watch_stream_writes_one_json_event_per_line() {
        assertThat(WireFixtures.WATCH_EVENTS.stream().map(FileWire::fileEvent).toList())
                .isEqualTo(WireFixtures.lines("stream/watch.ndjson").stream().map(JsonObject::new).toList());
    }

    @Test
    void the_log_stream_writes_prefixed_lines_and_keepalives_as_the_fixture() {
        List<LogLine> lines = WireFixtures.LOG_STREAM_LINES;
        String written = ProcessWire.logStreamLine(lines.get(0)).toString() + WireJson.keepaliveLine()
                + ProcessWire.logStreamLine(lines.get(1)) + ProcessWire.logStreamLine(lines.get(2));
        assertThat(written).isEqualTo(read("stream/logs.txt"));
    }

    @Test
    void streams_ended_for_their_reader_say_what_was_dropped_and_why_they_closed() {
        assertThat(List.of(ProcessWire.streamLine(LogLine.stdout("a")), ProcessWire.streamDropped(3),
                ProcessWire.streamClosed("the session was deleted")))
                .isEqualTo(WireFixtures.lines("stream/exec-ended-early.ndjson").stream().map(JsonObject::new).toList());
        assertThat(List.of(FileWire.watchDropped(3), FileWire.watchClosed("the session was deleted")))
                .isEqualTo(WireFixtures.lines("stream/watch-ended-early.ndjson").stream().map(JsonObject::new).toList());
    }

    @Test
    void the_log_stream_ended_for_its_reader_notes_what_was_dropped_and_why_it_closed() {
        String written = ProcessWire.logStreamLine(LogLine.stdout("a")).toString() + ProcessWire.logStreamDropped(3)
                + ProcessWire.logStreamClosed("the session was deleted");
        assertThat(written).isEqualTo(read("stream/logs-ended-early.txt"));
    }

    // ---- errors ----

    static Stream<ErrorFixture> brokerErrors() {
        return WireFixtures.ERRORS.stream().filter(ErrorFixture::brokerWrites);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokerErrors")
    void errors_are_written_in_the_shape_of_their_face(ErrorFixture fixture) {
        ApiError error = ApiError.of(fixture.error());
        if (fixture.sandboxApi()) {
            error = error.forSandboxApi();
        }
        assertThat(error.status()).isEqualTo(fixture.status());
        assertThat(fixture.sandboxApi() ? error.dataBody() : error.controlBody()).isEqualTo(object(fixture.file()));
    }
}
