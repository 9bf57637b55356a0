package dev.sandgate.ports.wire;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The golden bodies of the wire protocol, kept once (under {@code /wire/} in this test-jar) with the domain value
 * each one stands for. The broker's tests check that it writes exactly these bodies for these values (and reads the
 * request bodies into these values); the client's tests check that it reads these bodies into these values (and
 * sends exactly the request bodies). Neither side can change its mapping without the other noticing.
 *
 * <p>Where the broker wrote something the wire reference does not say, the reference won; the fixtures carry no
 * field the reference forbids, and every field the SDK reads.
 */
public final class WireFixtures {
    /** The broker the bodies come from: its public URL and workspace. */
    public static final String BASE = "http://127.0.0.1:8080";
    public static final String WORKSPACE = "ws";
    /** The instant the broker answered at (tokens say {@code expired} against it). */
    public static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");

    public static final SandboxName SANDBOX_NAME = SandboxName.of("my-sandbox");

    // ---- control plane: request bodies ----

    /** {@code wire/request/sandbox-create.json}: what {@code SandboxInstance.create} sends (b.2). */
    public static final SandboxSpec SANDBOX_CREATE = SandboxSpec.of(SANDBOX_NAME)
            .withPorts(List.of(PortSpec.http("web", 3000)))
            .withLabels(Map.of("purpose", "x"));

    /** {@code wire/request/preview-create.json}: an application preview (b.3). */
    public static final PreviewSpec PREVIEW_CREATE = PreviewSpec.publicPort(PreviewName.of("preview"), Port.of(3000))
            .withResponseHeaders(HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")));

    /** {@code wire/request/session-preview-create.json}: the preview {@code sessions.create} makes (b.5). */
    public static final PreviewSpec SESSION_PREVIEW_CREATE = new PreviewSpec(PreviewName.of("session-1795424406633"),
            Port.SANDBOX_API, false, HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")),
            HttpHeaders.NONE, Optional.of(Instant.parse("2026-11-24T09:00:06.632Z")));

    /** {@code wire/request/token-create.json}: its token (b.4, b.5). */
    public static final TokenName TOKEN_NAME = TokenName.of("token-1795424406652");
    public static final Instant TOKEN_EXPIRES_AT = Instant.parse("2026-11-24T09:00:06.632Z");

    // ---- control plane: answers ----

    /** {@code wire/sandbox.json}. */
    public static final Sandbox SANDBOX = new Sandbox(
            new SandboxSpec(SANDBOX_NAME, SandboxSpec.DEFAULT_IMAGE, 4096, List.of(PortSpec.http("web", 3000)),
                    List.of(new EnvVar("GREETING", "hello")), Map.of("purpose", "x"), Optional.of("crm/42"),
                    Optional.of("My sandbox")),
            SandboxStatus.DEPLOYED, BASE + "/" + WORKSPACE + "/sandboxes/my-sandbox",
            Instant.parse("2026-11-23T08:59:00Z"), Instant.parse("2026-11-23T08:59:30.250Z"));

    /** {@code wire/sandbox-minimal.json}: a sandbox with nothing but defaults, in the list. */
    public static final Sandbox SANDBOX_MINIMAL = new Sandbox(SandboxSpec.of(SandboxName.of("other")),
            SandboxStatus.DEPLOYED, BASE + "/" + WORKSPACE + "/sandboxes/other",
            Instant.parse("2026-11-23T08:58:00Z"), Instant.parse("2026-11-23T08:58:00Z"));

    /** {@code wire/sandbox-list.json}: a bare array (the paginated form is read by clients too). */
    public static final List<Sandbox> SANDBOX_LIST = List.of(SANDBOX, SANDBOX_MINIMAL);

    /** {@code wire/preview.json}: an application preview, with the status {@code DEPLOYED}. */
    public static final Preview PREVIEW = new Preview(SANDBOX_NAME, PREVIEW_CREATE,
            BASE + "/p/my-sandbox/preview", Instant.parse("2026-11-23T09:00:00Z"));

    /** {@code wire/session-preview.json}: a session preview (port 443, private, with an expiry). */
    public static final Preview SESSION_PREVIEW = new Preview(SANDBOX_NAME, SESSION_PREVIEW_CREATE,
            BASE + "/s/my-sandbox/session-1795424406633", Instant.parse("2026-11-23T09:00:06.633Z"));

    /** {@code wire/preview-list.json}. */
    public static final List<Preview> PREVIEW_LIST = List.of(PREVIEW, SESSION_PREVIEW);

    /** {@code wire/preview-deleted.json}: the answer to a delete, with the status {@code DELETED}. */
    public static final Preview PREVIEW_DELETED = PREVIEW;

    /** {@code wire/token.json}: the token of the session preview. */
    public static final PreviewToken TOKEN = new PreviewToken(TOKEN_NAME, SANDBOX_NAME,
            SESSION_PREVIEW_CREATE.name(), TokenValue.of("bxp_0123456789abcdefghijklmnopqrstuvwxyzAB"),
            TOKEN_EXPIRES_AT);

    /** An expired token of the same preview, listed after the live one. */
    public static final PreviewToken TOKEN_EXPIRED = new PreviewToken(TokenName.of("token-1795400000000"),
            SANDBOX_NAME, SESSION_PREVIEW_CREATE.name(), TokenValue.of("bxp_expiredexpiredexpiredexpired00"),
            Instant.parse("2026-11-22T09:00:00Z"));

    /** {@code wire/token-list.json}: a bare array, with {@code spec.token} (b.4). */
    public static final List<PreviewToken> TOKEN_LIST = List.of(TOKEN, TOKEN_EXPIRED);

    // ---- sandbox API: request bodies ----

    /** {@code wire/request/exec-wait-for-ports.json} (c.1, the reference's first example). */
    public static final ProcessSpec EXEC_WAIT_FOR_PORTS = ProcessSpec.of("python3 -m http.server 3000")
            .withName("web").withWorkingDir("/tmp/blaxel-check").withWaitForPorts(3000)
            .withEnv(Map.of("BLAXEL_CHECK", "1"));

    /**
     * {@code wire/request/exec-started-by-session.json}: an exec a broker fronting another sends with the API key on
     * behalf of one of its sessions ({@code sandgate.startedBy}, Sandgate's).
     */
    public static final ProcessSpec EXEC_STARTED_BY_SESSION = ProcessSpec.of("npm run dev").withName("dev-server")
            .withWorkingDir("/app").withStartedBy(Optional.of(PreviewName.of("session-1795424406633")));

    /** {@code wire/request/exec-wait-for-completion.json} (c.1, the reference's second example). */
    public static final ProcessSpec EXEC_WAIT_FOR_COMPLETION = ProcessSpec.of(
            "echo hello-from-session; echo err-line 1>&2").withWaitForCompletion(true);

    /** {@code wire/request/exec-every-option.json}: every field a client may send. */
    public static final ProcessSpec EXEC_EVERY_OPTION = ProcessSpec.of("node server.js").withName("server")
            .withWorkingDir("/app").withEnv(Map.of("PORT", "3000")).withWaitForPorts(3000, 3001)
            .withTimeout(Duration.ofSeconds(90)).withKeepAlive(true).withRestartOnFailure(3).withStdin(true);

    /** {@code wire/request/mkdir.json}: {@code fs.mkdir} (c.2). */
    public static final String MKDIR_PERMISSIONS = "0755";

    // ---- sandbox API: answers ----

    /** {@code wire/process-running.json}: {@code completedAt} empty, {@code exitCode} 0 while running (c.1). */
    public static final ProcessInfo PROCESS_RUNNING = new ProcessInfo("12946", ProcessName.of("web"),
            "python3 -m http.server 3000", ProcessStatus.RUNNING, Optional.empty(),
            SandboxPath.of("/tmp/blaxel-check"), Instant.parse("2026-11-23T09:00:07Z"), Optional.empty(), 0, false,
            false, 0);

    /** {@code wire/process-completed.json}: the answer to an exec that waited, with its output. */
    public static final ProcessInfo PROCESS_COMPLETED = new ProcessInfo("12950", ProcessName.of("proc-12950"),
            "echo hello-from-session; echo err-line 1>&2", ProcessStatus.COMPLETED, Optional.of(0),
            SandboxPath.of("/"), Instant.parse("2026-11-23T09:00:08Z"),
            Optional.of(Instant.parse("2026-11-23T09:00:09Z")), 0, false, false, 0);

    /** The output that comes with {@link #PROCESS_COMPLETED}. */
    public static final ProcessLogs PROCESS_COMPLETED_LOGS = new ProcessLogs("hello-from-session\n", "err-line\n",
            "hello-from-session\nerr-line\n", false);

    /** {@code wire/process-failed.json}: a non-zero exit code, restarts and keepAlive echoed. */
    public static final ProcessInfo PROCESS_FAILED = new ProcessInfo("12960", ProcessName.of("server"),
            "node server.js", ProcessStatus.FAILED, Optional.of(1), SandboxPath.of("/app"),
            Instant.parse("2026-11-23T09:01:00Z"), Optional.of(Instant.parse("2026-11-23T09:01:05Z")), 3, true,
            true, 3);

    /** {@code wire/process-killed.json}: 128 + SIGKILL. */
    public static final ProcessInfo PROCESS_KILLED = new ProcessInfo("12970", ProcessName.of("victim"),
            "sleep 600", ProcessStatus.KILLED, Optional.of(137), SandboxPath.of("/"),
            Instant.parse("2026-11-23T09:02:00Z"), Optional.of(Instant.parse("2026-11-23T09:02:01Z")), 0, false,
            false, 0);

    /** {@code wire/process-out-of-memory.json}: killed by the kernel for lack of memory ({@code oomKilled}, Sandgate's). */
    public static final ProcessInfo PROCESS_OUT_OF_MEMORY = new ProcessInfo("12980", ProcessName.of("hog"),
            "python3 hog.py", ProcessStatus.FAILED, Optional.of(137), SandboxPath.of("/"),
            Instant.parse("2026-11-23T09:03:00Z"), Optional.of(Instant.parse("2026-11-23T09:03:02Z")), 0, false,
            false, 0, true);

    /**
     * {@code wire/process-started-by-session.json}: a process a session started, as the API-key holder reads it
     * ({@code sandgate.startedBy}, Sandgate's).
     */
    public static final ProcessInfo PROCESS_STARTED_BY_SESSION = new ProcessInfo("12990", ProcessName.of("dev-server"),
            "npm run dev", ProcessStatus.RUNNING, Optional.empty(), SandboxPath.of("/app"),
            Instant.parse("2026-11-23T09:04:00Z"), Optional.empty(), 0, false, false, 0, false,
            Optional.of(PreviewName.of("session-1795424406633")));

    /** {@code wire/process-list.json}: a bare array of ProcessResponse, running and finished. */
    public static final List<ProcessInfo> PROCESS_LIST = List.of(PROCESS_RUNNING, PROCESS_FAILED, PROCESS_KILLED);

    /** {@code wire/logs.json}. */
    public static final ProcessLogs LOGS = new ProcessLogs("one\n", "two\n", "one\ntwo\n", false);

    /** {@code wire/stream/exec.ndjson}: the streamed exec's lines, then its result. */
    public static final List<LogLine> EXEC_STREAM_LINES = List.of(LogLine.stdout("hello-from-session"),
            LogLine.stderr("err-line"));

    /** {@code wire/file.json}: a file as {@code GET /filesystem/%2F…} answers it, with its content. */
    public static final FileEntry FILE = new FileEntry(SandboxPath.of("/tmp/a.txt"), false, 6, "0644",
            Instant.parse("2026-11-23T09:00:00Z"));
    public static final FileContent FILE_CONTENT = new FileContent(FILE, "hello\n".getBytes(StandardCharsets.UTF_8));

    /** {@code wire/directory.json}: a directory listing. */
    public static final DirectoryListing DIRECTORY = new DirectoryListing(SandboxPath.of("/tmp"),
            List.of(FILE, new FileEntry(SandboxPath.of("/tmp/run.sh"), false, 42, "0755",
                    Instant.parse("2026-11-23T08:00:00Z"))),
            List.of(new FileEntry(SandboxPath.of("/tmp/cache"), true, 4096, "0700",
                    Instant.parse("2026-11-23T07:00:00Z"))));

    /** {@code wire/message/*.json}: what the routes that only acknowledge answer. */
    public static final SandboxPath WRITTEN = SandboxPath.of("/tmp/a.txt");
    public static final SandboxPath MADE = SandboxPath.of("/tmp/cache");

    /** {@code wire/find.json}. */
    public static final List<FindMatch> FIND = List.of(new FindMatch(SandboxPath.of("/app/src"), true),
            new FindMatch(SandboxPath.of("/app/src/main.js"), false));

    /** {@code wire/grep.json}, for the query {@link #GREP_QUERY}. */
    public static final String GREP_QUERY = "TODO";
    public static final List<GrepMatch> GREP = List.of(
            new GrepMatch(SandboxPath.of("/app/src/main.js"), 3, 4, "// TODO: more", Optional.empty()),
            new GrepMatch(SandboxPath.of("/app/README.md"), 10, 1, "TODO list", Optional.of("## Plans\nTODO list")));

    /** {@code wire/stream/watch.ndjson}: one file event per line. */
    public static final List<FileEvent> WATCH_EVENTS = List.of(
            new FileEvent("CREATE", SandboxPath.of("/app/new.txt"), "new.txt"),
            new FileEvent("REMOVE", SandboxPath.of("/app/old.txt"), "old.txt"));

    /** {@code wire/stream/logs.txt}: the log stream (not JSON: prefixed lines and keepalives). */
    public static final List<LogLine> LOG_STREAM_LINES = List.of(LogLine.stdout("one"), LogLine.stderr("two"),
            LogLine.stdout(""));

    // ---- error bodies ----

    /**
     * An error body in {@code wire/errors/}: the HTTP status it comes with, the domain error the broker answers
     * with it (and the client reads back from it), and whether the broker writes it ({@code false} for a body only
     * Blaxel's own sandbox API sends, which the client must read all the same).
     */
    public record ErrorFixture(String file, int status, SandgateException error, boolean sandboxApi,
                               boolean brokerWrites) {
    }

    public static final List<ErrorFixture> ERRORS = List.of(
            new ErrorFixture("errors/control-not-found.json", 404,
                    new SandgateException.NotFound("sandbox nope not found"), false, true),
            new ErrorFixture("errors/control-conflict.json", 409,
                    new SandgateException.Conflict("sandbox my-sandbox already exists"), false, true),
            new ErrorFixture("errors/control-unauthorized.json", 401,
                    new SandgateException.Unauthorized("a valid API key or preview token is required"), false, true),
            new ErrorFixture("errors/control-invalid.json", 400,
                    new SandgateException.InvalidRequest("spec.port is required"), false, true),
            new ErrorFixture("errors/sandbox-api-not-found.json", 404,
                    new SandgateException.NotFound("process nope not found"), true, true),
            new ErrorFixture("errors/sandbox-api-name-taken.json", 400,
                    new SandgateException.Conflict("process with name 'web' already exists and is running"), true,
                    true),
            new ErrorFixture("errors/sandbox-api-unprocessable.json", 422,
                    SandgateException.InvalidRequest.unprocessable(
                            "could not execute command 'ls' because folder '/missing' does not exist"), true, true),
            new ErrorFixture("errors/sandbox-api-unauthorized.json", 401,
                    new SandgateException.Unauthorized("a valid API key or preview token is required"), true, true),
            new ErrorFixture("errors/sandbox-api-blaxel.json", 404,
                    new SandgateException.NotFound("process not found"), true, false));

    private WireFixtures() {
    }

    /** The text of {@code wire/<name>} in this test-jar. */
    public static String read(String name) {
        String resource = "/wire/" + name;
        try (InputStream in = WireFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The non-blank lines of a line-stream fixture. */
    public static List<String> lines(String name) {
        return read(name).lines().filter(l -> !l.isBlank()).toList();
    }
}
