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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session mint throughput against authenticated reads, side by side on one broker, for the file store and the Redis
 * store. A session is minted as the SDK's {@code sessions.create} does: a port-443 preview, then a token for it. The
 * reference is {@code GET /v0/sandboxes/{name}} with the API key. Both run at concurrency 16 (one HTTP/1.1
 * connection per thread), in alternating rounds of {@code ROUND} each, so that the load of the box weighs on both
 * alike; the figures are the totals over the rounds.
 *
 * <p>Arguments: the stores to measure ({@code file,redis}), the seconds per round (default 5), the rounds (default 3),
 * the seconds of warm-up for each kind before the first round (default 10: the JIT compiles the mint's longer path
 * later than the read's, and in a shorter warm-up its compiler threads still take CPU from the measured rounds), and
 * the client: {@code one-write} (default: {@link OneWriteHttp}, each request in one write, as the SDK sends it) or
 * {@code jdk} (the JDK's {@code HttpClient}, which writes a request's head and body apart).
 */
public final class SessionMintBenchmark {
    private static final int CONCURRENCY = 16;

    private SessionMintBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> stores = List.of((args.length > 0 ? args[0] : "file,redis").split(","));
        Duration round = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Duration warmUp = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 10);
        boolean jdkClient = args.length > 4 && args[4].equals("jdk");
        System.out.printf(Locale.ROOT, "session mints vs authenticated GETs, concurrency %d, %d rounds of %s each "
                + "after %s of warm-up for each, client %s%n", CONCURRENCY, rounds, round, warmUp,
                jdkClient ? "the JDK's HttpClient" : "one write per request");
        for (String store : stores) {
            measure(store.trim(), round, rounds, warmUp, jdkClient);
        }
    }

    private static void measure(String store, Duration round, int rounds, Duration warmUp, boolean jdkClient)
            throws Exception {
        Path dir = Files.createTempDirectory("sandgate-bench-");
        RedisServerExtension redis = RedisServerExtension.durable(); // as in production: AOF, fsync every second
        List<String> flags = new ArrayList<>(List.of("--data-dir=" + dir.resolve("data"), "--isolation=none",
                "--port=0", "--token-mints-per-minute=0", "--auth-failures-per-minute=0",
                "--max-connections-per-ip=0", "--allow-unisolated-sessions=true", "--store=" + store));
        if (store.equals("redis")) {
            redis.beforeAll(null);
            flags.add("--redis-url=" + redis.url(0));
        }
        AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(flags, Map.of())).settings();
        ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        ExecutorService load = Executors.newFixedThreadPool(CONCURRENCY);
        List<AutoCloseable> closing = new ArrayList<>();
        try (SandgateApp app = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom())) {
            String base = app.publicUrl().toString();
            String key = app.apiKey().value();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(clientThreads).build();
            check(send(http, post(base + "/v0/sandboxes", key, "{\"metadata\":{\"name\":\"bench\"}}")));
            AtomicLong ids = new AtomicLong();
            String expires = Instant.now().plus(Duration.ofHours(1)).toString();
            OneWriteHttp raw = new OneWriteHttp(URI.create(base), List.of("x-blaxel-authorization: Bearer " + key,
                    "x-blaxel-workspace: default"));
            closing.add(raw);
            Caller call = jdkClient ? (method, path, body) -> check(send(http, body == null
                    ? HttpRequest.newBuilder(URI.create(base + path)).header("x-blaxel-authorization", "Bearer " + key)
                            .header("x-blaxel-workspace", "default").GET().build()
                    : post(base + path, key, body)))
                    : (method, path, body) -> check(method, path, raw.send(method, path, body));
            Work read = () -> call.call("GET", "/v0/sandboxes/bench", null);
            Work mint = () -> {
                String name = "session-" + ids.incrementAndGet();
                call.call("POST", "/v0/sandboxes/bench/previews", "{\"metadata\":{\"name\":\"" + name
                        + "\"},\"spec\":{\"port\":443,\"public\":false,\"expires\":\"" + expires + "\"}}");
                call.call("POST", "/v0/sandboxes/bench/previews/" + name + "/tokens",
                        "{\"metadata\":{\"name\":\"token-1\"},\"spec\":{\"expiresAt\":\"" + expires + "\"}}");
            };
            run(load, read, warmUp);
            run(load, mint, warmUp);
            long reads = 0;
            long mints = 0;
            long readNanos = 0;
            long mintNanos = 0;
            long redisPid = store.equals("redis") ? redis.pid() : -1;
            Map<String, Long> readCpu = new TreeMap<>();
            Map<String, Long> mintCpu = new TreeMap<>();
            for (int r = 0; r < rounds; r++) {
                Map<String, Long> c0 = cpu(redisPid);
                long t0 = System.nanoTime();
                reads += run(load, read, round);
                long t1 = System.nanoTime();
                Map<String, Long> c1 = cpu(redisPid);
                mints += run(load, mint, round);
                long t2 = System.nanoTime();
                Map<String, Long> c2 = cpu(redisPid);
                readNanos += t1 - t0;
                mintNanos += t2 - t1;
                c1.forEach((k, v) -> readCpu.merge(k, v - c0.getOrDefault(k, 0L), Long::sum));
                c2.forEach((k, v) -> mintCpu.merge(k, v - c1.getOrDefault(k, 0L), Long::sum));
            }
            double readRate = reads / (readNanos / 1e9);
            double mintRate = mints / (mintNanos / 1e9);
            if (store.equals("redis")) {
                System.out.println("redis-server " + String.join(" ", redis.config()));
            }
            System.out.printf(Locale.ROOT, "store %-5s  authenticated GET %8.0f/s   session mint %8.0f/s   ratio %.2f%n",
                    store, readRate, mintRate, mintRate / readRate);
            System.out.println("  GET  " + CpuTicks.perOperation(Map.of(), readCpu, reads));
            System.out.println("  mint " + CpuTicks.perOperation(Map.of(), mintCpu, mints));
        } finally {
            for (AutoCloseable c : closing) {
                c.close();
            }
            clientThreads.shutdownNow(); // its threads would keep the JVM from exiting
            load.shutdownNow();
            if (store.equals("redis")) {
                redis.afterAll(null);
            }
        }
    }

    /** CPU ticks so far: this JVM's threads by what they do, and redis-server's if {@code redisPid} is one. */
    private static Map<String, Long> cpu(long redisPid) {
        Map<String, Long> ticks = new TreeMap<>(CpuTicks.threads(SessionMintBenchmark::threadGroup));
        if (redisPid > 0) {
            ticks.put("redis-server", CpuTicks.process(redisPid));
        }
        return ticks;
    }

    private static String threadGroup(String thread) {
        if (thread.startsWith("vert.x-eventloo")) {
            return "event-loops";
        }
        if (thread.startsWith("sandgate-access")) {
            return "access-log";
        }
        if (thread.startsWith("sandgate-audit")) {
            return "audit";
        }
        if (thread.startsWith("sandgate-journa")) { // /proc cuts names at 15 characters
            return "journal";
        }
        if (thread.startsWith("GC Thread") || thread.startsWith("G1 ")) {
            return "gc";
        }
        if (thread.startsWith("sandgate-")) {
            return "workers";
        }
        if (thread.startsWith("pool-") || thread.startsWith("HttpClient")) { // OneWriteHttp runs on pool-
            return "bench-clients";
        }
        if (thread.startsWith("lettuce")) {
            return "lettuce";
        }
        return "other";
    }

    private interface Work {
        void once() throws Exception;
    }

    /** One request with the API key ({@code body} null: none), its answer checked to be 200. */
    private interface Caller {
        void call(String method, String path, String body) throws Exception;
    }

    private static void check(String method, String path, OneWriteHttp.Answer answer) {
        if (answer.status() != 200) {
            throw new IllegalStateException(method + " " + path + ": " + answer.status() + " " + answer.body());
        }
    }

    /**
     * Runs {@code work} on the {@link #CONCURRENCY} threads of {@code pool} for {@code duration}; returns how many times
     * it ran. The same threads run every round (their CPU is counted, and each keeps its connection).
     */
    private static long run(ExecutorService pool, Work work, Duration duration) throws Exception {
        long deadline = System.nanoTime() + duration.toNanos();
        AtomicLong count = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < CONCURRENCY; i++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    work.once();
                    count.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        return count.get();
    }

    private static HttpRequest post(String url, String key, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("x-blaxel-authorization", "Bearer " + key)
                .header("x-blaxel-workspace", "default").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": "
                    + response.statusCode() + " " + response.body());
        }
    }
}
