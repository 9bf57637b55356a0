package dev.sandgate.adapter.local.bench;

import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.local.LocalSandboxGateway;
import dev.sandgate.adapter.local.LocalSettings;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.Launch;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.DataPlane;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The adapter-local benchmarks, run on demand ({@code mvn -B -ntp -pl adapter-local -Pbench test-compile exec:exec};
 * {@code -Dbench.parts=b} runs only some of them):
 * <ol>
 * <li>(a) exec-to-exit round trip of {@code true} through the gateway ({@code exec} with {@code waitForCompletion})
 * against raw {@code ProcessBuilder} spawns and {@code waitFor}, interleaved in one run; target p50 ratio ≤ 1.5
 * against {@code true}. The references: {@code true}, {@code sh -c true}, and the exact command line the runtime
 * spawns when it spawns (see {@link Launch}: {@code setsid -w sh -c <prelude> sh <hand-over> true}, or under
 * bubblewrap {@code setsid -w sh -c <open fd 3> sh <hand-over> bwrap --args 3 sh -c true}; the reference reuses one
 * hand-over file where the runtime writes one per process).
 * The gateway is measured twice: as configured by default (warm shells: the second and later execs of a sandbox
 * hand their command to a shell started ahead) and with warm shells off (every exec spawns). After each warm
 * gateway exec the run waits (polling, with a deadline) until the shell started for the next exec runs, so that its
 * start does not overlap the next measurement, the gateway's or a reference's: one call after another, as a person
 * or an agent runs commands. A second series runs the gateway and raw {@code true} back to back without waiting,
 * where the warm shell is still starting when the next exec arrives;</li>
 * <li>(b) token verification with JMH; target ≤ 2 µs/op;</li>
 * <li>(c) heap held by 100,000 live tokens (10 per preview), used-heap delta after GC; target ≤ 64 MB.</li>
 * </ol>
 */
public final class LocalBenchmarks {
    private static final int EXEC_WARMUP = 100;
    private static final int EXEC_SAMPLES = 400;
    private static final int BURST_SAMPLES = 200;
    /** How long a warm shell may take to start before the run gives up. */
    private static final Duration WARM_SHELL_DEADLINE = Duration.ofSeconds(10);
    private static final long WARM_SHELL_POLL_NANOS = Duration.ofMillis(1).toNanos();
    private static final int HEAP_TOKENS = 100_000;
    private static final int HEAP_TOKENS_PER_PREVIEW = 10;

    private LocalBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "adapter-local benchmarks: JDK %s, %d CPUs, loadavg %.2f%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        List<String> parts = List.of((args.length > 0 ? args[0] : "a,b,c").split(","));
        if (parts.contains("a")) {
            execRoundTrip(Isolation.resolve(IsolationMode.NONE));
            Isolation auto = Isolation.resolve(IsolationMode.AUTO);
            if (auto.inForce() == IsolationMode.BWRAP) {
                execRoundTrip(auto);
            } else {
                System.out.println("(a) bubblewrap is not available here: no isolated measurement");
            }
        }
        if (parts.contains("b")) {
            verifyCost();
        }
        if (parts.contains("c")) {
            heapPerToken();
        }
    }

    // ------------------------------------------------------------------ (a)

    private static void execRoundTrip(Isolation isolation) throws Exception {
        Path dataDir = Files.createTempDirectory("sandgate-bench-exec");
        LocalSettings settings = LocalSettings.defaults(dataDir).toBuilder().durableWrites(false)
                .isolation(isolation.inForce()).build();
        Path coldDir = Files.createTempDirectory("sandgate-bench-exec-cold");
        LocalSettings coldSettings = LocalSettings.defaults(coldDir).toBuilder().durableWrites(false)
                .isolation(isolation.inForce())
                .processes(settings.processes().toBuilder().warmShellIdle(Duration.ZERO).build()).build();
        SandboxName name = SandboxName.of("bench");
        SandboxName coldName = SandboxName.of("bench-cold");
        try (LocalSandboxGateway gateway = new LocalSandboxGateway(settings,
                FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false), isolation,
                Clock.systemUTC());
             LocalSandboxGateway coldGateway = new LocalSandboxGateway(coldSettings,
                FileAccessStore.open(coldSettings.accessDir(), coldSettings.secretKeyFile(), false), isolation,
                Clock.systemUTC())) {
            gateway.createSandbox(SandboxSpec.of(name));
            coldGateway.createSandbox(SandboxSpec.of(coldName));
            DataPlane data = gateway.dataPlane(name);
            DataPlane cold = coldGateway.dataPlane(coldName);
            Path root = dataDir.resolve("sandboxes").resolve(name.value()).resolve("root");
            ProcessSpec spec = ProcessSpec.of("true").withWaitForCompletion(true);
            gatewayExec(data, spec); // lets the runtime prepare the sandbox root first
            gatewayExec(cold, spec);
            Launch launch = isolation.launch(root, SandboxPath.ROOT, root, "true", Map.of());
            Map<String, String> env = launch.environment();
            Path dir = launch.directory();
            Path handOver = Files.createTempFile("sandgate-bench-hand-over", "");
            Files.write(handOver, launch.handOver());
            handOver.toFile().deleteOnExit();
            List<List<String>> references = new ArrayList<>();
            references.add(List.of("true"));
            if (isolation.inForce() == IsolationMode.NONE) {
                references.add(List.of("/bin/sh", "-c", "true"));
            }
            references.add(launch.commandLine(handOver));
            for (int i = 0; i < EXEC_WARMUP; i++) {
                for (List<String> reference : references) {
                    rawSpawn(reference, dir, env);
                }
                gatewayExec(data, spec);
                gatewayExec(cold, spec);
            }
            long[][] rawNanos = new long[references.size()][EXEC_SAMPLES];
            long[] gatewayNanos = new long[EXEC_SAMPLES];
            long[] coldNanos = new long[EXEC_SAMPLES];
            for (int i = 0; i < EXEC_SAMPLES; i++) {
                for (int r = 0; r < references.size(); r++) {
                    rawNanos[r][i] = rawSpawn(references.get(r), dir, env);
                }
                gatewayNanos[i] = gatewayExec(data, spec);
                awaitWarmShell();
                coldNanos[i] = gatewayExec(cold, spec);
            }
            List<List<String>> burstReferences = references.size() > 1
                    ? List.of(references.get(0), references.get(references.size() - 1)) : references;
            long[] burstNanos = new long[BURST_SAMPLES];
            long[][] rawBurstNanos = new long[burstReferences.size()][BURST_SAMPLES];
            for (int i = 0; i < BURST_SAMPLES; i++) {
                burstNanos[i] = gatewayExec(data, spec);
            }
            for (int r = 0; r < burstReferences.size(); r++) {
                for (int i = 0; i < BURST_SAMPLES; i++) {
                    rawBurstNanos[r][i] = rawSpawn(burstReferences.get(r), dir, env);
                }
            }
            String mode = isolation.inForce().wireName();
            System.out.printf(Locale.ROOT, "(a) exec round trip, isolation %s, n=%d interleaved, each warm exec's next "
                    + "shell awaited:%n", mode, EXEC_SAMPLES);
            gatewayNanos = line("gateway exec \"true\" (waitForCompletion)", gatewayNanos);
            coldNanos = line("  the same, warm shells off", coldNanos);
            for (int r = 0; r < references.size(); r++) {
                long[] sorted = line(label(references.get(r)), rawNanos[r]);
                System.out.printf(Locale.ROOT, "        p50 ratio gateway/raw = %.2f (warm shells off: %.2f)%s%n",
                        (double) pct(gatewayNanos, 50) / pct(sorted, 50),
                        (double) pct(coldNanos, 50) / pct(sorted, 50),
                        r == 0 ? "   <- target <= 1.5" : "");
            }
            System.out.printf(Locale.ROOT, "(a) back to back, isolation %s, n=%d each, no pause:%n", mode,
                    BURST_SAMPLES);
            burstNanos = line("gateway exec \"true\" (waitForCompletion)", burstNanos);
            for (int r = 0; r < burstReferences.size(); r++) {
                long[] raw = line(label(burstReferences.get(r)), rawBurstNanos[r]);
                System.out.printf(Locale.ROOT, "        p50 ratio gateway/raw = %.2f%n",
                        (double) pct(burstNanos, 50) / pct(raw, 50));
            }
        } finally {
            deleteTree(dataDir);
            deleteTree(coldDir);
        }
    }

    private static String label(List<String> command) {
        return "raw ProcessBuilder(" + String.join(" ", command.size() > 6
                ? List.of(command.get(0), command.get(1), command.get(2), "…", "true") : command) + ")";
    }

    /**
     * Polls, with a deadline, until the shell a warm gateway exec started for the next one runs: a descendant of
     * this JVM whose program is the shell and whose script is the hand-over script (before that, it is still
     * {@code setsid} or {@code bwrap} setting up).
     */
    private static void awaitWarmShell() {
        long deadline = System.nanoTime() + WARM_SHELL_DEADLINE.toNanos();
        while (ProcessHandle.current().descendants().noneMatch(LocalBenchmarks::isWaitingShell)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no warm shell ran within " + WARM_SHELL_DEADLINE);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(WARM_SHELL_POLL_NANOS);
        }
    }

    private static boolean isWaitingShell(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        boolean shell = info.command().map(c -> c.endsWith("/dash") || c.endsWith("/sh")).orElse(false);
        return shell && info.arguments().map(a -> isHandOverShell(a)).orElse(false);
    }

    /**
     * The hand-over script is the shell's command ({@code sh -c <script>}, inside bubblewrap) or what its prelude
     * evaluates ({@code sh -c <prelude> sh <file> <script>}, without isolation); the shell that opens bubblewrap's
     * arguments names the script too, but only until it becomes bubblewrap.
     */
    private static boolean isHandOverShell(String[] args) {
        return args.length >= 2 && !args[1].startsWith("exec 3<")
                && args[args.length - 1].contains("__sg_read");
    }

    private static long[] line(String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "    %-48s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms%n", label,
                ms(pct(sorted, 50)), ms(pct(sorted, 90)), ms(pct(sorted, 99)));
        return sorted;
    }

    private static long rawSpawn(List<String> command, Path dir, Map<String, String> env)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process p = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("raw spawn of " + command + " failed");
        }
        return System.nanoTime() - start;
    }

    private static long gatewayExec(DataPlane data, ProcessSpec spec) {
        long start = System.nanoTime();
        ProcessInfo done = data.exec(spec);
        long elapsed = System.nanoTime() - start;
        if (done.status() != ProcessStatus.COMPLETED) {
            throw new IllegalStateException("gateway exec ended " + done.status() + " with exit code "
                    + done.exitCode().orElse(-1) + ": " + data.logs(done.pid()).logs());
        }
        return elapsed;
    }

    // ------------------------------------------------------------------ (b)

    private static void verifyCost() throws Exception {
        Options options = new OptionsBuilder().include(TokenVerifyBenchmark.class.getName())
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .jvmArgs("-Xms512m", "-Xmx512m").build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.printf(Locale.ROOT, "(b) token verify (JMH, %d live tokens, average time per op):%n",
                TokenVerifyBenchmark.PREVIEWS * TokenVerifyBenchmark.TOKENS_PER_PREVIEW);
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            double nanos = r.getPrimaryResult().getScore();
            double error = r.getPrimaryResult().getScoreError();
            System.out.printf(Locale.ROOT, "    %-30s %.3f µs/op (± %.3f) (target <= 2 µs/op)%n", label,
                    nanos / 1000, error / 1000);
        }
    }

    // ------------------------------------------------------------------ (c)

    private static void heapPerToken() throws IOException {
        Path dir = Files.createTempDirectory("sandgate-bench-heap");
        try {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            FileAccessStore store = FileAccessStore.open(dir.resolve("access"), key, false);
            long before = usedAfterGc(memory);
            Instant now = Instant.now();
            Instant expires = now.plusSeconds(3600);
            long start = System.nanoTime();
            int previews = HEAP_TOKENS / HEAP_TOKENS_PER_PREVIEW;
            for (int p = 0; p < previews; p++) {
                SandboxName sandbox = SandboxName.of("box-" + (p % 1000));
                PreviewName preview = PreviewName.of("preview-" + p);
                store.insertPreview(new Preview(sandbox, PreviewSpec.privatePort(preview, Port.of(3000)),
                        "http://127.0.0.1/p/" + sandbox + "/" + preview, now));
                for (int t = 0; t < HEAP_TOKENS_PER_PREVIEW; t++) {
                    store.mintToken(sandbox, preview, TokenName.of("token-" + t), expires, now);
                }
            }
            long mintSeconds = (System.nanoTime() - start) / 1_000_000_000L;
            long after = usedAfterGc(memory);
            long delta = after - before;
            System.out.printf(Locale.ROOT, "(c) heap for %,d live tokens in %,d previews: %.1f MB (%d B/token incl. "
                            + "previews) (target <= 64 MB); minting them (with file writes) took %d s%n",
                    HEAP_TOKENS, previews, delta / 1e6, delta / HEAP_TOKENS, mintSeconds);
            if (store.listPreviews(SandboxName.of("box-0")).isEmpty()) {
                throw new IllegalStateException("store lost its previews"); // keeps the store reachable
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    // ------------------------------------------------------------------ helpers

    private static long pct(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
