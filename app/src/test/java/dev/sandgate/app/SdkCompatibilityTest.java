package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified official {@code @blaxel/core} SDK runs the whole seed flow ({@code src/test/node/seed-flow.mjs})
 * against the real program: local sandboxes, real processes, isolation as on this machine, port 0, a generated key.
 * Maven runs {@code npm ci} there before the tests.
 */
class SdkCompatibilityTest {
    private static final long NODE_TIMEOUT_SECONDS = 120;

    /** Every step of the seed flow; each must print {@code ok <step>}. */
    private static final List<String> STEPS = List.of(
            "environment",
            "sandbox.createIfNotExists",
            "sandbox.createIfNotExists.again",
            "sandbox.createIfNotExists.concurrent",
            "sessions.clear",
            "previews.clear",
            "sessions.create",
            "sessions.list",
            "sessions.createIfExpired.reuse",
            "sessions.createIfExpired.renew",
            "previews.create.public",
            "previews.list",
            "fromSession",
            "session.fs.write",
            "session.fs.read",
            "session.process.exec.waitForPorts",
            "session.process.list",
            "session.process.get",
            "preview.fetch.public",
            "session.process.logs",
            "session.process.streamLogs",
            "session.process.exec.waitForCompletion",
            "session.process.exec.streaming",
            "session.process.exec.clientNamed.lostAnswer",
            "previews.create.private",
            "preview.tokens.create",
            "preview.fetch.private.withoutToken",
            "preview.fetch.private.withToken",
            "preview.fetch.private.withQueryToken",
            "preview.tokens.list",
            "preview.tokens.delete",
            "session.process.stop",
            "session.process.kill",
            "session.wrongToken.refused",
            "session.expired.refused",
            "session.deleted.refused");

    @TempDir
    Path dataDir;

    @TempDir
    Path scratch;

    private SandgateApp app;

    @BeforeEach
    void start() {
        // sessions are what the flow is about: served even where this machine cannot isolate processes
        AppSettings settings = TestSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true).build();
        app = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void the_official_sdk_runs_the_whole_seed_flow_against_the_broker() throws Exception {
        runSeedFlow(app, "local");
    }

    /**
     * The same flow through a remote broker in front of a local one: its sessions, its previews, its key only. The
     * remote gateway reaches preview ports at {@code --upstream-host:port}, which sandboxes with a network namespace
     * of their own do not offer, so this upstream shares the host's network (isolation {@code none}).
     */
    @Test
    void the_official_sdk_runs_the_whole_seed_flow_against_a_remote_broker(@TempDir Path upstreamDir,
                                                                           @TempDir Path remoteDir) throws Exception {
        try (SandgateApp upstream = SandgateApp.start(TestSettings.defaults(upstreamDir).toBuilder().port(0)
                        .isolation(dev.sandgate.adapter.local.process.IsolationMode.NONE)
                        .allowUnisolatedSessions(true).build(), Clock.systemUTC(), new SecureRandom());
             SandgateApp remote = SandgateApp.start(TestSettings.defaults(remoteDir).toBuilder().port(0).remote(
                new Upstream(URI.create(upstream.publicUrl() + "/v0"), upstream.apiKey().value(), "the test",
                        "default")).build(), Clock.systemUTC(), new SecureRandom())) {
            runSeedFlow(remote, "remote");
        }
    }

    private void runSeedFlow(SandgateApp target, String gateway) throws Exception {
        Path nodeDir = nodeDir();
        Path output = scratch.resolve("seed-flow-" + gateway + ".log");
        ProcessBuilder builder = new ProcessBuilder("node", "seed-flow.mjs")
                .directory(nodeDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("BL_")); // nothing of the developer's own Blaxel setup
        env.put("BL_API_URL", target.publicUrl() + "/v0");
        env.put("BL_WORKSPACE", target.settings().workspace());
        env.put("BL_API_KEY", target.apiKey().value());
        env.put("BL_DISABLE_H2", "true");
        env.put("DO_NOT_TRACK", "1");
        env.put("SANDBOX_NAME", "seed-flow");
        env.put("APP_PORT", Integer.toString(freePort()));

        Process node = builder.start();
        boolean finished = node.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println("---- seed-flow.mjs (" + gateway + " gateway, isolation "
                + app.isolation().map(Enum::name).orElse("?") + ") ----");
        System.out.print(log);
        System.out.println("---- end of seed-flow.mjs ----");

        assertThat(finished).as("seed-flow.mjs finished within %d s", NODE_TIMEOUT_SECONDS).isTrue();
        List<String> lines = log.lines().toList();
        assertThat(lines).as("failed steps").noneMatch(line -> line.startsWith("FAIL "));
        for (String step : STEPS) {
            assertThat(lines).as("step %s", step).contains("ok " + step);
        }
        assertThat(node.exitValue()).as("exit status of seed-flow.mjs").isZero();
    }

    private static Path nodeDir() {
        Path dir = Path.of(System.getProperty("sandgate.sdk.dir", "src/test/node")).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("@blaxel").resolve("core"))) {
            fail("the SDK is not installed in " + dir + ": run 'npm ci' there (Maven does it in process-test-resources)");
        }
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
