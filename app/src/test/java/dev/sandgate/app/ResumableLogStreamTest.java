package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Log streams that resume without loss, through the real broker over the local runtime: the broker's cursors
 * ({@code ?since=}, {@code Last-Event-ID}, the {@code truncated} and {@code end} objects), and the Java client
 * resuming by itself across a TCP relay that cuts its connection mid-stream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumableLogStreamTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int OUTPUT_BUFFER_BYTES = 64 * 1024;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Path dataDir;
    private TcpRelay relay;
    private SandgateApp app;
    private SandgateClient client;
    private Sandbox sandbox;
    private DataPlane data;

    @BeforeAll
    void start() throws IOException {
        dataDir = Files.createTempDirectory("sandgate-resume");
        relay = new TcpRelay();
        AppSettings defaults = TestSettings.defaults(dataDir);
        app = SandgateApp.start(defaults.toBuilder().port(0)
                .publicUrl(Optional.of(URI.create("http://127.0.0.1:" + relay.port())))
                .processes(defaults.processes().toBuilder().outputBufferBytes(OUTPUT_BUFFER_BYTES).build())
                .build(), Clock.systemUTC(), new SecureRandom());
        relay.target(app.port());
        client = SandgateClient.builder().baseUrl("http://127.0.0.1:" + relay.port() + "/v0")
                .workspace(app.settings().workspace()).apiKey(app.apiKey().value()).build();
        sandbox = client.gateway().createSandbox(SandboxSpec.of(SandboxName.of("resume")));
        data = client.gateway().dataPlane(sandbox.name());
    }

    @AfterAll
    void stop() throws IOException {
        app.close();
        relay.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- the Java client ----

    @Test
    void the_client_resumes_after_its_connection_is_cut_twice_and_gets_every_line_exactly_once() {
        int count = 300;
        // numbered lines at a steady rate, pausing (for a line on its input) after 100 and 200, so that each cut
        // lands mid-stream and what follows it can only arrive on a resumed connection
        ProcessInfo started = data.exec(ProcessSpec.of("i=1; while [ $i -le " + count + " ]; do echo line-$i; "
                + "if [ $i = 100 ] || [ $i = 200 ]; then read go; fi; i=$((i+1)); sleep 0.002; done").withStdin(true));
        Recorder recorder = new Recorder();
        LogSubscription subscription = data.streamLogs(started.pid(), recorder);
        try {
            for (int pause : new int[] {100, 200}) {
                Eventually.await("line " + pause, DEADLINE, () -> recorder.lines.size() >= pause);
                assertThat(relay.cut()).as("the connections cut at line " + pause + ", one of them the stream's")
                        .anySatisfy(carried -> assertThat(carried).contains("\"line-" + pause + "\""));
                data.writeStdin(started.pid(), "go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            recorder.awaitEnd();
        } finally {
            subscription.cancel();
        }

        assertThat(recorder.error.get()).isNull();
        assertThat(recorder.lines).extracting(LogLine::text)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, count).mapToObj(i -> "line-" + i).toList());
        assertThat(recorder.cursors).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void the_client_resumes_from_a_cursor_it_is_given() {
        ProcessInfo done = data.exec(ProcessSpec.of("echo a; echo b; echo c").withWaitForCompletion(true));
        Recorder recorder = new Recorder();

        data.streamLogs(done.pid(), 1, recorder);
        recorder.awaitEnd();

        assertThat(recorder.lines).extracting(LogLine::text).containsExactly("b", "c");
        assertThat(recorder.cursors).containsExactly(2L, 3L);
    }

    @Test
    void the_client_is_told_of_each_restart_between_the_runs_and_ends_when_the_last_one_exits() {
        ProcessInfo started = data.exec(ProcessSpec.of("echo run; read go; exit 3").withStdin(true)
                .withRestartOnFailure(1));
        Recorder recorder = new Recorder();
        LogSubscription subscription = data.streamLogs(started.pid(), recorder);
        try {
            Eventually.await("the first run's line", DEADLINE, () -> recorder.lines.size() == 1);
            data.writeStdin(started.pid(), "go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Eventually.await("the second run's line", DEADLINE, () -> recorder.lines.size() == 2);
            data.writeStdin(started.pid(), "go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            recorder.awaitEnd();
        } finally {
            subscription.cancel();
        }

        assertThat(recorder.error.get()).isNull();
        assertThat(recorder.events).containsExactly("line 1 run", "restarted 3 1", "line 2 run", "end");
    }

    @Test
    void the_client_s_stream_of_a_deleted_session_ends_with_an_error_saying_why_and_is_not_resumed()
            throws Exception {
        SandboxInstance instance = Sandgate.create(client.gateway()).sandboxes().createIfNotExists("resume");
        Session session = instance.sessions().create(SessionOptions.expiringAt(Instant.now().plus(Duration.ofMinutes(10))));
        SandgateClient anonymous = SandgateClient.builder().baseUrl("http://127.0.0.1:" + relay.port() + "/v0").build();
        SessionSandbox browser = Sandgate.fromSession(session, anonymous.sessionConnector());
        ProcessInfo started = browser.process().exec(ProcessSpec.of("echo up; sleep 600"));
        Recorder recorder = new Recorder();
        LogSubscription subscription = browser.process().streamLogs(started.pid(), recorder);
        try {
            Eventually.await("the line before the deletion", DEADLINE, () -> recorder.lines.size() == 1);

            instance.sessions().delete(session.name());

            recorder.awaitEnd();
        } finally {
            subscription.cancel();
            data.killProcess(started.pid());
        }
        assertThat(recorder.events).containsExactly("line 1 up", "error");
        assertThat(recorder.error.get()).isInstanceOf(SandgateException.Unavailable.class)
                .hasMessageEndingWith("closed by the server: the session, its preview token or its preview was deleted");
    }

    // ---- the broker's wire ----

    @Test
    void a_restarted_process_s_stream_says_so_between_its_runs_and_its_cursors_go_on() throws Exception {
        ProcessInfo started = data.exec(ProcessSpec.of("echo run; read go; exit 3").withStdin(true)
                .withRestartOnFailure(1));
        HttpResponse<Stream<String>> r = http.send(ndjsonRequest(started.pid(), "", null),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonObject> frames = new CopyOnWriteArrayList<>();
        var reading = java.util.concurrent.CompletableFuture.runAsync(() -> r.body().filter(l -> !l.isBlank())
                .map(JsonObject::new).filter(f -> !"keepalive".equals(f.getString("type"))).forEach(frames::add));

        for (int run = 1; run <= 2; run++) {
            int lines = run;
            Eventually.await("run " + run + "'s line", DEADLINE,
                    () -> frames.stream().filter(f -> "stdout".equals(f.getString("type"))).count() == lines);
            data.writeStdin(started.pid(), "go\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        reading.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        assertThat(frames).extracting(f -> f.getString("type")).containsExactly("stdout", "restarted", "stdout", "end");
        assertThat(frames.get(0).getLong("cursor")).isEqualTo(1L);
        assertThat(frames.get(1).getInteger("exitCode")).isEqualTo(3);
        assertThat(frames.get(1).getInteger("restartCount")).isEqualTo(1);
        assertThat(frames.get(2).getLong("cursor")).isEqualTo(2L);
        assertThat(frames.get(3).getString("how")).isEqualTo("exited");
        assertThat(frames.get(3).getInteger("exitCode")).isEqualTo(3);
        assertThat(frames.get(3).getInteger("restartCount")).isEqualTo(1);
    }

    @Test
    void the_sdk_s_text_stream_of_a_restarted_process_carries_only_its_output() throws Exception {
        ProcessInfo started = data.exec(ProcessSpec.of("echo run; exit 3").withRestartOnFailure(1));
        Eventually.await("the process to end", DEADLINE, () -> data.getProcess(started.pid()).status().isTerminal());

        assertThat(text(started.pid(), "").body()).isEqualTo("stdout:run\nstdout:run\n");
    }

    @Test
    void since_gives_exactly_the_lines_after_the_cursor_each_with_its_cursor_then_the_end() throws Exception {
        String pid = finished("printf '1\\n2\\n3\\n'");

        List<JsonObject> frames = ndjson(stream(pid, "?since=1", null));

        assertThat(frames).extracting(f -> f.getString("type")).containsExactly("stdout", "stdout", "end");
        assertThat(frames.get(0).getString("data")).isEqualTo("2");
        assertThat(frames.get(0).getLong("cursor")).isEqualTo(2L);
        assertThat(frames.get(1).getLong("cursor")).isEqualTo(3L);
        assertThat(frames.get(2).getString("how")).isEqualTo("exited");
        assertThat(frames.get(2).getInteger("exitCode")).isZero();
    }

    @Test
    void last_event_id_resumes_like_since() throws Exception {
        String pid = finished("printf '1\\n2\\n3\\n'");

        List<JsonObject> frames = ndjson(stream(pid, "", "2"));

        assertThat(frames).extracting(f -> f.getString("data")).containsExactly("3", null);
    }

    @Test
    void the_text_stream_the_sdk_reads_is_unchanged_and_resumes_too() throws Exception {
        String pid = finished("printf '1\\n2\\n3\\n'");

        HttpResponse<String> plain = text(pid, "");
        HttpResponse<String> resumed = text(pid, "?since=2");

        assertThat(plain.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(plain.body()).isEqualTo("stdout:1\nstdout:2\nstdout:3\n");
        assertThat(resumed.body()).isEqualTo("stdout:3\n");
    }

    @Test
    void lines_dropped_after_the_cursor_are_announced_by_a_truncated_frame_before_the_kept_ones() throws Exception {
        String pid = finished("i=1; while [ $i -le 2000 ]; do echo line-$i-" + "x".repeat(60) + "; i=$((i+1)); done");

        List<JsonObject> frames = ndjson(stream(pid, "?since=5", null));

        assertThat(frames.get(0).getString("type")).isEqualTo("truncated");
        long truncated = frames.get(0).getLong("count");
        assertThat(truncated).isPositive();
        assertThat(frames.get(1).getLong("cursor")).isEqualTo(5 + truncated + 1);
        assertThat(frames.get(frames.size() - 2).getString("data")).startsWith("line-2000-");
    }

    @Test
    void a_killed_process_ends_its_stream_with_an_end_frame_saying_killed() throws Exception {
        ProcessInfo started = data.exec(ProcessSpec.of("echo up; sleep 600"));
        Eventually.await("the first line", DEADLINE, () -> data.logs(started.pid()).stdout().contains("up"));
        var pending = http.sendAsync(ndjsonRequest(started.pid(), "", null), HttpResponse.BodyHandlers.ofString());

        data.killProcess(started.pid());
        List<JsonObject> frames = ndjson(pending.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));

        assertThat(frames.get(0).getString("data")).isEqualTo("up");
        JsonObject end = frames.get(frames.size() - 1);
        assertThat(end.getString("type")).isEqualTo("end");
        assertThat(end.getString("how")).isEqualTo("killed");
        assertThat(end.getInteger("exitCode")).isEqualTo(137);
    }

    @Test
    void a_failed_process_ends_with_its_exit_code() throws Exception {
        String pid = finished("echo x; exit 3");

        List<JsonObject> frames = ndjson(stream(pid, "", null));

        assertThat(frames.get(frames.size() - 1).getString("how")).isEqualTo("exited");
        assertThat(frames.get(frames.size() - 1).getInteger("exitCode")).isEqualTo(3);
    }

    @Test
    void a_cursor_that_is_not_a_line_of_the_process_is_a_400_before_any_stream() throws Exception {
        String pid = finished("echo only");

        assertThat(stream(pid, "?since=9", null).statusCode()).isEqualTo(400);
        assertThat(stream(pid, "?since=-1", null).statusCode()).isEqualTo(400);
        assertThat(stream(pid, "?since=abc", null).statusCode()).isEqualTo(400);
        assertThat(stream(pid, "", "x").statusCode()).isEqualTo(400);
        assertThat(stream(pid, "?since=99999999999999999999", null).body()).contains("cursor");
    }

    // ---- support ----

    private String finished(String command) {
        return data.exec(ProcessSpec.of(command).withWaitForCompletion(true)).pid();
    }

    private HttpRequest ndjsonRequest(String pid, String query, String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/" + app.settings().workspace() + "/sandboxes/" + sandbox.name().value()
                        + "/process/" + pid + "/logs/stream" + query))
                .timeout(DEADLINE)
                .header("X-Blaxel-Authorization", "Bearer " + app.apiKey().value())
                .header("X-Blaxel-Workspace", app.settings().workspace())
                .header("Accept", "application/x-ndjson");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return b.GET().build();
    }

    private HttpResponse<String> stream(String pid, String query, String lastEventId) throws Exception {
        return http.send(ndjsonRequest(pid, query, lastEventId), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> text(String pid, String query) throws Exception {
        HttpRequest ndjson = ndjsonRequest(pid, query, null);
        HttpRequest.Builder b = HttpRequest.newBuilder(ndjson.uri()).timeout(DEADLINE);
        ndjson.headers().map().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Accept")) {
                v.forEach(value -> b.header(k, value));
            }
        });
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonObject> ndjson(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        return r.body().lines().filter(l -> !l.isBlank()).map(JsonObject::new)
                .filter(f -> !"keepalive".equals(f.getString("type"))).toList();
    }

    private static final class Recorder implements LogListener {
        final List<LogLine> lines = new CopyOnWriteArrayList<>();
        final List<Long> cursors = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicReference<SandgateException> error = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public void onLine(LogLine line) {
            lines.add(line);
        }

        @Override
        public void onLine(LogLine line, long cursor) {
            cursors.add(cursor);
            events.add("line " + cursor + " " + line.text());
            lines.add(line);
        }

        @Override
        public void onRestarted(int exitCode, int restartCount) {
            events.add("restarted " + exitCode + " " + restartCount);
        }

        @Override
        public void onEnd() {
            events.add("end");
            done.countDown();
        }

        @Override
        public void onError(SandgateException e) {
            events.add("error");
            error.set(e);
            done.countDown();
        }

        void awaitEnd() {
            try {
                assertThat(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the stream ended").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
