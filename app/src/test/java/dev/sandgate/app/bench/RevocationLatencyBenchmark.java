package dev.sandgate.app.bench;

import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.app.AppSettings;
import dev.sandgate.app.Invocation;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.app.SettingsLoader;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Revocation latency across two brokers on one Redis: how long after a session is deleted through broker A broker B
 * refuses it, and ends the log stream it had opened with it.
 *
 * <p>Two real brokers (the program's wiring, local gateway, isolation {@code none}, each on a port of its own), with
 * the Redis store on one {@code redis-server}, the same token key file and the same API key. Each broker has a
 * sandbox of the same name (each runs its own sandboxes: a session's records are shared, the sandbox it opens is the
 * broker's), and in B's a process that runs for the whole benchmark, whose log stream the sessions open.
 *
 * <p>One iteration: mint a session through A (a port-443 preview, then a token, as the SDK's
 * {@code sessions.create}); check that B serves it ({@code GET /process/{pid}} under the session URL: 200); open the
 * process's log stream on B with it; then delete the session through A ({@code DELETE} of its preview) and, from the
 * instant that request is sent, poll B with the session back to back, with no pause, until it refuses it (401, 403
 * or 404), and wait for B to end the stream. Both latencies are measured from the same instant, so they include the
 * delete's own round trip through A. Each wait has a deadline ({@link #DEADLINE}); a miss fails the run. Before each
 * delete the run pauses for a random 0-{@value #PHASES_MS} ms, so that the deletes fall at every phase of B's
 * periodic check of open streams rather than always at the same one.
 *
 * <p>Arguments: the iterations measured (default 200), after {@link #WARM_UP} that are not.
 */
public final class RevocationLatencyBenchmark {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Duration TARGET = Duration.ofSeconds(1);
    private static final int WARM_UP = 20;
    /** The span of the random pause before each delete: longer than the broker's stream check (250 ms). */
    private static final int PHASES_MS = 500;
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http;
    private final String key;
    private final String a;
    private final String b;
    private final String pid;
    private final ExecutorService readers;
    private final Random random = new Random();

    private RevocationLatencyBenchmark(HttpClient http, String key, String a, String b, String pid,
                                       ExecutorService readers) {
        this.http = http;
        this.key = key;
        this.a = a;
        this.b = b;
        this.pid = pid;
        this.readers = readers;
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("sandgate-bench-");
        RedisServerExtension redis = RedisServerExtension.durable(); // as in production: AOF, fsync every second
        redis.beforeAll(null);
        String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        ExecutorService readers = Executors.newCachedThreadPool();
        try (SandgateApp brokerA = broker(dir, "a", redis, key); SandgateApp brokerB = broker(dir, "b", redis, key)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String a = brokerA.publicUrl().toString();
            String b = brokerB.publicUrl().toString();
            // The same sandbox on both, created before any session: creating a sandbox clears its old records.
            for (String base : List.of(a, b)) {
                expect(200, send(http, post(base + "/v0/sandboxes", key, "{\"metadata\":{\"name\":\"bench\"}}")));
            }
            HttpResponse<String> started = send(http, post(b + "/default/sandboxes/bench/process", key,
                    "{\"command\":\"sleep 3600\"}"));
            expect(200, started);
            String pid = group(PID, started.body());
            System.out.printf(Locale.ROOT, "revocation across two brokers on one Redis (%s), %d iterations after %d "
                    + "of warm-up; redis-server %s%n", redis.url(0), iterations, WARM_UP, String.join(" ", redis.config()));
            new RevocationLatencyBenchmark(http, key, a, b, pid, readers).measure(iterations);
        } finally {
            readers.shutdownNow();
            redis.afterAll(null);
        }
    }

    private static SandgateApp broker(Path dir, String name, RedisServerExtension redis, String key) {
        List<String> flags = List.of("--data-dir=" + dir.resolve(name), "--isolation=none", "--port=0",
                "--store=redis", "--redis-url=" + redis.url(0), "--token-key-file=" + dir.resolve("cluster/token.key"),
                "--api-key=" + key, "--token-mints-per-minute=0", "--auth-failures-per-minute=0",
                "--max-connections-per-ip=0", "--allow-unisolated-sessions=true");
        AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(flags, Map.of())).settings();
        return SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom());
    }

    private void measure(int iterations) throws Exception {
        List<Long> deletes = new ArrayList<>();
        List<Long> refused = new ArrayList<>();
        List<Long> ended = new ArrayList<>();
        List<Long> polls = new ArrayList<>();
        for (int i = 0; i < WARM_UP + iterations; i++) {
            Sample s = once("session-" + i);
            if (i >= WARM_UP) {
                deletes.add(s.deleteNanos());
                refused.add(s.refusedNanos());
                ended.add(s.streamEndedNanos());
                polls.add((long) s.polls());
            }
        }
        report("A answers the delete", deletes, false);
        report("B refuses the session", refused, true);
        report("B ends the open log stream", ended, true);
        polls.sort(null);
        System.out.printf(Locale.ROOT, "requests to B until refused: p50 %d, max %d%n", at(polls, 0.50),
                polls.get(polls.size() - 1));
    }

    private record Sample(long deleteNanos, long refusedNanos, long streamEndedNanos, int polls) {
    }

    private Sample once(String name) throws Exception {
        String expires = Instant.now().plus(Duration.ofHours(1)).toString();
        expect(200, send(http, post(a + "/v0/sandboxes/bench/previews", key, "{\"metadata\":{\"name\":\"" + name
                + "\"},\"spec\":{\"port\":443,\"public\":false,\"expires\":\"" + expires + "\"}}")));
        HttpResponse<String> minted = send(http, post(a + "/v0/sandboxes/bench/previews/" + name + "/tokens", key,
                "{\"metadata\":{\"name\":\"token-1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}"));
        expect(200, minted);
        String token = group(TOKEN, minted.body());
        String session = b + "/s/bench/" + name;
        HttpRequest probe = HttpRequest.newBuilder(URI.create(session + "/process/" + pid))
                .header("X-Blaxel-Preview-Token", token).timeout(DEADLINE).GET().build();
        expect(200, send(http, probe));

        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(session + "/process/" + pid
                + "/logs/stream")).header("X-Blaxel-Preview-Token", token).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        if (stream.statusCode() != 200) {
            throw new IllegalStateException("the log stream on B answered " + stream.statusCode());
        }
        AtomicReference<String> last = new AtomicReference<>("");
        CompletableFuture<Long> streamEnd = CompletableFuture.supplyAsync(() -> {
            stream.body().forEach(last::set);
            return System.nanoTime();
        }, readers);

        // B judges open streams again on a timer; without this pause every iteration would come at the same phase of
        // it (the previous stream ended just after a check), and the stream figures would all sit near the worst case.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(PHASES_MS)));
        long t0 = System.nanoTime();
        expect(200, send(http, HttpRequest.newBuilder(URI.create(a + "/v0/sandboxes/bench/previews/" + name))
                .header("x-blaxel-authorization", "Bearer " + key).header("x-blaxel-workspace", "default")
                .timeout(DEADLINE).DELETE().build()));
        long deleted = System.nanoTime();
        long deadline = t0 + DEADLINE.toNanos();
        int polls = 0;
        long refusedAt;
        while (true) {
            int status = send(http, probe).statusCode();
            polls++;
            if (status == 401 || status == 403 || status == 404) {
                refusedAt = System.nanoTime();
                break;
            }
            if (status != 200) {
                throw new IllegalStateException("B answered " + status + " to a session being revoked");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("B still served " + name + " " + DEADLINE + " after its deletion");
            }
        }
        long endedAt;
        try {
            endedAt = streamEnd.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("B still streamed the logs of " + name + " " + DEADLINE
                    + " after its deletion");
        }
        if (!last.get().contains("closed")) {
            throw new IllegalStateException("the log stream ended without its closing line: " + last.get());
        }
        return new Sample(deleted - t0, refusedAt - t0, endedAt - t0, polls);
    }

    private static void report(String what, List<Long> nanos, boolean judged) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        long p99 = at(sorted, 0.99);
        String verdict = !judged ? "" : "   within " + TARGET.toMillis() + " ms (p99): "
                + (p99 <= TARGET.toNanos() ? "PASS" : "FAIL");
        System.out.printf(Locale.ROOT, "%-28s n %d   p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms%s%n", what,
                sorted.size(), at(sorted, 0.50) / 1e6, p99 / 1e6, sorted.get(sorted.size() - 1) / 1e6, verdict);
    }

    /** The nearest-rank percentile of sorted values. */
    private static long at(List<Long> sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static HttpRequest post(String url, String key, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("x-blaxel-authorization", "Bearer " + key)
                .header("x-blaxel-workspace", "default").header("Content-Type", "application/json")
                .timeout(DEADLINE).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(int status, HttpResponse<String> response) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": "
                    + response.statusCode() + " " + response.body());
        }
    }

    private static String group(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in " + body);
        }
        return m.group(1);
    }
}
