package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote gateway end to end: broker A ({@code --gateway=remote}) fronts broker B (local sandboxes), both started
 * by the program's own start-up code on port 0. A client holding only A's key creates a sandbox and a session through
 * A; a second client holding only that session runs processes, reads logs and files and opens a preview, all through
 * A. B's key stays inside A: it is in no response A sends, in none of its output, and nowhere in its data directory.
 */
class RemoteChainTest {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final SandboxName SANDBOX = SandboxName.of("chain");

    @TempDir
    Path dirB;

    @TempDir
    Path dirA;

    /** Every request the test's clients send and every response they receive, headers and bodies. */
    private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final List<SandgateApp> started = new ArrayList<>();
    private PrintStream originalErr;

    private SandgateApp brokerB;
    private SandgateApp brokerA;
    private String keyB;
    private OkHttpClient http;

    /** One exchange as the client saw it on the wire (bodies uncompressed: the recorder asks for identity). */
    private record Exchange(URI url, String request, int status, String responseHeaders, String responseBody) {
        boolean mentions(String secret) {
            return request.contains(secret) || responseHeaders.contains(secret) || responseBody.contains(secret);
        }
    }

    @BeforeEach
    void startBothBrokers() {
        // The program's log goes to standard error: keep a copy to search for B's key.
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(output, originalErr), true, StandardCharsets.UTF_8));

        brokerB = launch(dirB, List.of("--port=0", "--data-dir=" + dirB, "--isolation=none",
                "--allow-unisolated-sessions"), Map.of());
        keyB = brokerB.apiKey().value();
        brokerA = launch(dirA, List.of("--gateway=remote", "--port=0", "--data-dir=" + dirA), Map.of(
                "SANDGATE_UPSTREAM_URL", brokerB.publicUrl() + "/v0",
                "SANDGATE_UPSTREAM_API_KEY", keyB));

        http = new OkHttpClient.Builder()
                .addNetworkInterceptor(chain -> record(chain.proceed(chain.request().newBuilder()
                        .header("Accept-Encoding", "identity").build())))
                .build();
    }

    @AfterEach
    void stopBothBrokers() {
        try {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
            if (http != null) {
                http.dispatcher().executorService().shutdown();
                http.connectionPool().evictAll();
            }
        } finally {
            System.setErr(originalErr);
        }
    }

    @Test
    void a_session_minted_by_the_remote_broker_works_through_it_and_the_upstream_key_never_leaves_it()
            throws Exception {
        assertThat(brokerA.settings().gateway()).isEqualTo(GatewayKind.REMOTE);
        assertThat(brokerA.apiKey().value()).isNotEqualTo(keyB);
        String urlA = brokerA.publicUrl().toString();
        String urlB = brokerB.publicUrl().toString();
        int appPort = freePort();

        // The backend: it holds A's key, and only that.
        SandgateClient backend = SandgateClient.builder().baseUrl(urlA + "/v0").workspace("default")
                .apiKey(brokerA.apiKey().value()).okHttpClient(http).build();
        SandboxInstance sandbox = Sandgate.create(backend.gateway()).sandboxes()
                .createIfNotExists(SandboxSpec.of(SANDBOX).withPorts(List.of(PortSpec.http("web", appPort))));
        assertThat(sandbox.sandbox().url()).startsWith(urlA + "/");
        Session session = sandbox.sessions()
                .create(SessionOptions.expiringAt(Instant.now().plus(Duration.ofMinutes(10))));
        assertThat(session.url()).startsWith(urlA + "/").doesNotStartWith(urlB);

        // The browser side: no key at all, only the session.
        SandgateClient anonymous = SandgateClient.builder().baseUrl(urlA + "/v0").okHttpClient(http).build();
        SessionSandbox browser = Sandgate.fromSession(session, anonymous.sessionConnector());

        ProcessInfo echo = browser.process().exec(ProcessSpec.of("echo hello through the chain")
                .withName("echo").withWaitForCompletion(true));
        assertThat(echo.exitCode()).contains(0);
        assertThat(browser.process().logs(echo.pid()).stdout()).contains("hello through the chain");

        browser.fs().mkdir("/site");
        browser.fs().write("/site/index.html", "<p>served in B, previewed through A</p>");
        assertThat(browser.fs().read("/site/index.html")).isEqualTo("<p>served in B, previewed through A</p>");

        // A's session means nothing to B, whichever of B's URLs it is shown to.
        assertThat(status(urlB + "/s/" + SANDBOX.value() + "/" + session.name().value() + "/process",
                session.token().value())).isEqualTo(401);
        assertThat(status(urlB + "/default/sandboxes/" + SANDBOX.value() + "/process", session.token().value()))
                .isEqualTo(401);

        // A real dev server, started through the session, reached at A's public preview.
        ProcessInfo server = browser.process().exec(ProcessSpec.of("python3 -m http.server " + appPort
                        + " --bind 127.0.0.1").withName("web").withWorkingDir("/site").withWaitForPorts(appPort));
        Preview preview = sandbox.previews().create(PreviewSpec.publicPort(PreviewName.of("web"), Port.of(appPort)));
        assertThat(preview.url()).doesNotStartWith(urlB);
        String page = fetchWithin(DEADLINE, preview.url() + "/index.html");
        assertThat(page).contains("served in B, previewed through A");
        browser.process().kill(server.pid());

        // Deleting the session through A ends it.
        sandbox.sessions().delete(session.name());
        assertThatThrownBy(() -> browser.process().list()).isInstanceOf(SandgateException.Unauthorized.class);

        // Secrecy: the clients never needed B's key, and A never showed it, on the wire, in its output or its files.
        // First, that the records would show a secret: A's key in the backend's requests, the session's token in
        // the body that created it, and A's start-up summary naming its upstream.
        assertThat(exchanges).as("exchanges with A").anyMatch(e -> e.url().getPort() == brokerA.port());
        assertThat(exchanges).as("requests with A's key")
                .anyMatch(e -> e.request().contains(brokerA.apiKey().value()));
        assertThat(exchanges).as("the session's token in a response body")
                .anyMatch(e -> e.responseBody().contains(session.token().value()));
        assertThat(output.toString(StandardCharsets.UTF_8)).as("A's start-up summary")
                .contains("gateway: remote, fronting " + urlB + "/v0");
        assertThat(exchanges).as("exchanges that mention B's key").noneMatch(e -> e.mentions(keyB));
        assertThat(output.toString(StandardCharsets.UTF_8)).as("the brokers' output").doesNotContain(keyB);
        assertThat(filesOf(dirA)).as("A's data directory").isNotEmpty().allSatisfy(file ->
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(keyB));
    }

    @Test
    void a_scoped_session_of_the_fronting_broker_owns_its_processes_upstream_and_reaches_only_those()
            throws Exception {
        String urlA = brokerA.publicUrl().toString();
        String urlB = brokerB.publicUrl().toString();
        SandgateClient backend = SandgateClient.builder().baseUrl(urlA + "/v0").workspace("default")
                .apiKey(brokerA.apiKey().value()).okHttpClient(http).build();
        Sandgate.create(backend.gateway()).sandboxes().createIfNotExists(SandboxSpec.of(SANDBOX));
        String tokenA = scopedSessionOnA("session-a");
        String tokenB = scopedSessionOnA("session-b");
        String sessions = urlA + "/s/" + SANDBOX.value() + "/";

        try (Response started = http.newCall(new Request.Builder().url(sessions + "session-a/process")
                .header("X-Blaxel-Preview-Token", tokenA).post(okhttp3.RequestBody.create(
                        "{\"name\":\"job-a\",\"command\":\"sleep 600\"}", okhttp3.MediaType.get("application/json")))
                .build()).execute()) {
            assertThat(started.code()).as(started.body().string()).isEqualTo(200);
        }

        // B keeps the owner A named for it, and A's key holder reads it back through A
        ProcessInfo upstream = SandgateClient.builder().baseUrl(urlB + "/v0").workspace("default").apiKey(keyB)
                .okHttpClient(http).build().gateway().dataPlane(SANDBOX).getProcess("job-a");
        assertThat(upstream.startedBy()).contains(PreviewName.of("session-a"));
        assertThat(backend.gateway().dataPlane(SANDBOX).getProcess("job-a").startedBy())
                .contains(PreviewName.of("session-a"));
        // the other session of A reaches nothing of it
        try (Response list = http.newCall(new Request.Builder().url(sessions + "session-b/process")
                .header("X-Blaxel-Preview-Token", tokenB).build()).execute()) {
            assertThat(list.body().string()).isEqualTo("[]");
        }
        try (Response kill = http.newCall(new Request.Builder().url(sessions + "session-b/process/job-a/kill")
                .header("X-Blaxel-Preview-Token", tokenB).delete().build()).execute()) {
            assertThat(kill.code()).isEqualTo(404);
        }
        try (Response own = http.newCall(new Request.Builder().url(sessions + "session-a/process")
                .header("X-Blaxel-Preview-Token", tokenA).build()).execute()) {
            assertThat(own.body().string()).contains("job-a");
        }
        assertThat(backend.gateway().dataPlane(SANDBOX).getProcess("job-a").isRunning()).isTrue();
    }

    /** A session of the sandbox minted on A's control plane with exec, read and signal scopes; its token. */
    private String scopedSessionOnA(String name) throws IOException {
        String expires = Instant.now().plus(Duration.ofMinutes(10)).toString();
        okhttp3.MediaType json = okhttp3.MediaType.get("application/json");
        String previews = brokerA.publicUrl() + "/v0/sandboxes/" + SANDBOX.value() + "/previews";
        try (Response preview = http.newCall(new Request.Builder().url(previews)
                .header("X-Blaxel-Authorization", "Bearer " + brokerA.apiKey().value())
                .header("X-Blaxel-Workspace", "default")
                .post(okhttp3.RequestBody.create("{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"port\":443,"
                        + "\"public\":false,\"expires\":\"" + expires + "\"},\"sandgate\":{\"scopes\":{\"operations\":"
                        + "[\"process:exec\",\"process:read\",\"process:signal\"]}}}", json)).build()).execute()) {
            assertThat(preview.code()).as(preview.body().string()).isEqualTo(200);
        }
        try (Response token = http.newCall(new Request.Builder().url(previews + "/" + name + "/tokens")
                .header("X-Blaxel-Authorization", "Bearer " + brokerA.apiKey().value())
                .header("X-Blaxel-Workspace", "default")
                .post(okhttp3.RequestBody.create("{\"metadata\":{\"name\":\"t1\"},\"spec\":{\"expiresAt\":\""
                        + expires + "\"}}", json)).build()).execute()) {
            String body = token.body().string();
            assertThat(token.code()).as(body).isEqualTo(200);
            return new io.vertx.core.json.JsonObject(body).getJsonObject("spec").getString("token");
        }
    }

    @Test
    void an_upstream_refusing_the_brokers_key_is_the_broker_unavailable_not_the_client_refused(@TempDir Path dirC) {
        SandgateApp misconfigured = launch(dirC, List.of("--gateway=remote", "--port=0", "--data-dir=" + dirC), Map.of(
                "SANDGATE_UPSTREAM_URL", brokerB.publicUrl() + "/v0",
                "SANDGATE_UPSTREAM_API_KEY", "not-the-key-of-b-0123456789"));
        SandgateClient backend = SandgateClient.builder().baseUrl(misconfigured.publicUrl() + "/v0")
                .apiKey(misconfigured.apiKey().value()).okHttpClient(http).build();

        assertThatThrownBy(() -> Sandgate.create(backend.gateway()).sandboxes().list())
                .isInstanceOf(SandgateException.Unavailable.class)
                .hasMessageContaining("the upstream refused this broker's API key (HTTP 401)")
                .hasMessageNotContaining("not-the-key-of-b-0123456789");
    }

    private SandgateApp launch(Path home, List<String> args, Map<String, String> env) {
        PrintStream out = new PrintStream(new TeeStream(output, System.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(output, true, StandardCharsets.UTF_8);
        Main.Launch launch = Main.launch(args, env, SettingsLoader.create(home, home), out, err, started::add);
        assertThat(launch.app()).as("started with %s: %s", args, output).isPresent();
        return launch.app().get();
    }

    /** Records the exchange and hands the client an identical response (the body read once, here). */
    private Response record(Response response) throws IOException {
        ResponseBody body = response.body();
        byte[] bytes = body.bytes();
        exchanges.add(new Exchange(response.request().url().uri(),
                response.request().method() + " " + response.request().url() + "\n" + response.request().headers(),
                response.code(), response.headers().toString(), new String(bytes, StandardCharsets.ISO_8859_1)));
        return response.newBuilder().body(ResponseBody.create(bytes, body.contentType())).build();
    }

    private int status(String url, String token) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url(url)
                .header("X-Blaxel-Preview-Token", token).build()).execute()) {
            return response.code();
        }
    }

    /** The page at {@code url}, polled until it answers 200 or the deadline passes. */
    private String fetchWithin(Duration deadline, String url) throws IOException {
        Instant end = Instant.now().plus(deadline);
        String last = "no answer";
        while (Instant.now().isBefore(end)) {
            try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
                String body = response.body().string();
                if (response.code() == 200) {
                    return body;
                }
                last = response.code() + " " + body;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no 200 from " + url + " within " + deadline + "; last: " + last);
    }

    private static List<Path> filesOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Writes to a copy and on to where the bytes were going. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream copy;
        private final java.io.OutputStream next;

        TeeStream(java.io.OutputStream copy, java.io.OutputStream next) {
            this.copy = copy;
            this.next = next;
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (copy) {
                copy.write(b);
            }
            next.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (copy) {
                copy.write(b, off, len);
            }
            next.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            next.flush();
        }
    }
}
