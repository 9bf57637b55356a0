package dev.sandgate.app.bench;

import dev.sandgate.adapter.redis.RedisServerExtension;
import dev.sandgate.app.AppSettings;
import dev.sandgate.app.Invocation;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.app.SettingsLoader;
import dev.sandgate.app.bench.ProxyBenchmark.Broker;
import dev.sandgate.app.bench.ProxyBenchmark.Cell;
import dev.sandgate.app.bench.ProxyBenchmark.Cpu;
import dev.sandgate.app.bench.ProxyBenchmark.Result;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Preview throughput through a broker that forwards to the sandbox's node against through that node itself, side by
 * side in one run, with wrk at 64 connections on loopback.
 *
 * <p>One {@code redis-server} on a free port; node A (the local gateway on the Redis store, isolation {@code none},
 * so that the origin can be a process of this host) owns sandbox {@code bench}; a front ({@code --gateway=cluster})
 * hosts nothing and forwards every request for it to A with the cluster credential. Both are the program's wiring,
 * in this JVM, each on a port of its own. The origin is a Vert.x server answering {@code "ok"} (and one answering
 * after a 10 ms timer). The cells: the origin direct; A's public preview and the front's (the same preview, path
 * form {@code /p/bench/<preview>/}); A's private preview with its token in the header, and the front's. Each cell
 * runs once to warm up, then they run interleaved round after round; the figures are medians over the rounds, and
 * CPU µs per request is this JVM's without its JIT compiler threads (both brokers: a forwarded request costs the
 * front's work and A's).
 *
 * <p>Arguments: seconds per cell (default 5), rounds (default 3).
 */
public final class ForwardingBenchmark {
    private static final String API_KEY = "forwarding-bench-key-0123456789abcdef";

    private ForwardingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("sandgate-forwarding-bench-");
        RedisServerExtension redis = new RedisServerExtension();
        redis.beforeAll(null);
        Vertx peers = Vertx.vertx();
        try {
            HttpServer origin = peers.createHttpServer().requestHandler(request -> request.response().end("ok"))
                    .listen(0, "127.0.0.1").await();
            HttpServer slow = peers.createHttpServer().requestHandler(request -> peers.setTimer(10,
                    t -> request.response().end("ok"))).listen(0, "127.0.0.1").await();
            Path key = Files.createDirectories(dir.resolve("cluster")).resolve("token.key");
            try (SandgateApp node = broker(dir, "node-a", redis, key, "--node-id=node-a");
                 SandgateApp front = broker(dir, "front", redis, key, "--gateway=cluster")) {
                Broker owner = new Broker(node.listenUrl().toString(), API_KEY);
                Broker forwarder = new Broker(front.listenUrl().toString(), API_KEY);
                forwarder.post("/v0/sandboxes", "{\"metadata\":{\"name\":\"bench\",\"labels\":"
                        + "{\"sandgate-node\":\"node-a\"}}}");
                String publicPath = path(forwarder.preview("ok-public", origin.actualPort(), true));
                String privatePath = path(forwarder.preview("ok-private", origin.actualPort(), false));
                String token = "X-Blaxel-Preview-Token: " + forwarder.token("ok-private");
                String slowPath = path(forwarder.preview("slow-public", slow.actualPort(), true));
                String a = node.listenUrl().toString();
                String f = front.listenUrl().toString();

                Cpu jvm = ProxyBenchmark::jvmTicksBesidesJit;
                Cpu none = () -> 0;
                List<Cell> trivial = List.of(
                        new Cell("direct", "http://127.0.0.1:" + origin.actualPort() + "/", null, jvm),
                        new Cell("owner public", a + publicPath, null, jvm),
                        new Cell("forwarded public", f + publicPath, null, jvm),
                        new Cell("owner private", a + privatePath, token, jvm),
                        new Cell("forwarded private", f + privatePath, token, jvm));
                List<Cell> latency = List.of(
                        new Cell("10ms direct", "http://127.0.0.1:" + slow.actualPort() + "/", null, none),
                        new Cell("10ms owner", a + slowPath, null, none),
                        new Cell("10ms forwarded", f + slowPath, null, none));
                List<Cell> all = new ArrayList<>(trivial);
                all.addAll(latency);

                System.out.printf(Locale.ROOT, "forwarding benchmark: wrk -t2 -c%d, %d s per cell, %d rounds; %d"
                                + " cores; %s; loadavg %s; cpu pressure %s%n", ProxyBenchmark.CONNECTIONS, seconds,
                        rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                        ProxyBenchmark.loadavg(), ProxyBenchmark.pressure());
                for (Cell cell : all) {
                    ProxyBenchmark.wrk(cell, Math.max(seconds, ProxyBenchmark.WARM_UP_SECONDS));
                }
                Map<String, List<Result>> results = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (Cell cell : all) {
                        Result result = ProxyBenchmark.wrk(cell, seconds);
                        results.computeIfAbsent(cell.name(), k -> new ArrayList<>()).add(result);
                        System.out.printf(Locale.ROOT, "  round %d  %-18s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms"
                                        + "  %s%n", r + 1, cell.name(), result.rps(), result.p50Ms(),
                                result.p99Ms(), cell.cpu() == none ? ""
                                        : String.format(Locale.ROOT, "%.1f µs CPU/req", result.cpuMicrosPerRequest()));
                    }
                }
                report(results, trivial, latency);
                System.out.printf(Locale.ROOT, "forwarded requests counted by the front: %d%n",
                        front.forwardedRequests());
                System.out.printf(Locale.ROOT, "after: loadavg %s; cpu pressure %s%n", ProxyBenchmark.loadavg(),
                        ProxyBenchmark.pressure());
            }
        } finally {
            peers.close().await();
            redis.afterAll(null);
        }
    }

    private static void report(Map<String, List<Result>> results, List<Cell> trivial, List<Cell> latency) {
        System.out.println();
        System.out.println("| origin | path | median req/s | × owner | p50 ms | p99 ms | JVM CPU µs/req |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (List<Cell> group : List.of(trivial, latency)) {
            for (Cell cell : group) {
                List<Result> rs = results.get(cell.name());
                double rps = ProxyBenchmark.median(rs, Result::rps);
                String owner = cell.name().replace("forwarded", "owner");
                String ratio = cell.name().contains("forwarded") ? String.format(Locale.ROOT, "%.2f",
                        rps / ProxyBenchmark.median(results.get(owner), Result::rps)) : "—";
                double cpu = ProxyBenchmark.median(rs, Result::cpuMicrosPerRequest);
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %s | %.2f | %.2f | %s |%n",
                        group == trivial ? "trivial" : "10 ms", cell.name(), rps, ratio,
                        ProxyBenchmark.median(rs, Result::p50Ms), ProxyBenchmark.median(rs, Result::p99Ms),
                        cpu == 0 ? "—" : String.format(Locale.ROOT, "%.1f", cpu));
            }
        }
    }

    /** The path of a preview URL (both brokers serve it: every broker of a cluster has the same URL scheme). */
    private static String path(String url) {
        return java.net.URI.create(url).getRawPath();
    }

    private static SandgateApp broker(Path dir, String name, RedisServerExtension redis, Path key, String role) {
        List<String> flags = List.of("--data-dir=" + dir.resolve(name), "--isolation=none", "--port=0",
                "--store=redis", "--redis-url=" + redis.url(0), "--token-key-file=" + key, "--api-key=" + API_KEY,
                "--preview-ports=path", "--sandbox-disk-quota=0", "--max-connections-per-ip=0",
                "--auth-failures-per-minute=0", "--token-mints-per-minute=0", role);
        AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(flags, Map.of())).settings();
        return SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom());
    }
}
