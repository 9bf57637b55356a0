package dev.sandgate.app.bench;

import dev.sandgate.app.AppSettings;
import dev.sandgate.app.Invocation;
import dev.sandgate.app.Nginx;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.app.SettingsLoader;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.HttpProxy;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The preview proxy against its peers, side by side in one run, with wrk (Debian package {@code wrk}) at 64
 * connections on loopback. Every proxy fronts the same origin:
 *
 * <ul>
 * <li>(a) a trivial origin, nginx answering {@code 200 "ok"}: direct; through an nginx reverse proxy (upstream
 * keep-alive); through Sandgate's preview proxy, a public preview and a private one with its token in the header;
 * through {@code vertx-http-proxy} (same Vert.x version) as a minimal Vert.x proxy; and, for what the Vert.x
 * stack itself costs, a Vert.x server answering {@code "ok"} alone (not a proxy, and not a ratio's reference);</li>
 * <li>(b) a 10 ms origin (a Vert.x server answering after a 10 ms timer): direct, and through Sandgate's public and
 * private previews.</li>
 * </ul>
 *
 * <p>The previews are real ones, of a real sandbox of the local gateway with isolation {@code none}, so the
 * origin is a process of this host. Each cell runs once to warm up, then the cells run interleaved round after round
 * so that the load of the box weighs on all alike; the figures are medians over the rounds, and CPU µs per request
 * is the proxy's own CPU time (the nginx proxy's processes, or this JVM without its JIT compiler threads: it hosts
 * Sandgate and vertx-http-proxy and is otherwise idle while a cell of theirs runs).
 *
 * <p>Made comparable: the nginx proxy runs one worker per core ({@code worker_processes auto}), and the Vert.x
 * proxies one event loop per core (the broker's servers on every port, {@code vertx-http-proxy} as a verticle of as
 * many instances, each with a pool of its own); nginx logs no access line ({@code access_log off}), and the broker
 * runs with {@code --access-log=false} unless the system property {@code bench.accessLog} is {@code true}. Both
 * Vert.x instances use the transport the class path gives them (the program's: Netty's native epoll); the first
 * line printed names it.
 *
 * <p>Arguments: seconds per cell (default 5), rounds (default 3), and optionally the cells to run, by name, comma
 * separated (for a profile of one path; the ratios are then left out).
 */
public final class ProxyBenchmark {
    static final int CONNECTIONS = 64;
    /** Event loops of the Vert.x proxies, as nginx's {@code worker_processes auto}: one per core. */
    private static final int LOOPS = Runtime.getRuntime().availableProcessors();
    static final int WARM_UP_SECONDS = 15;
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: (.*)");
    private static final Pattern P50 = Pattern.compile("50%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern P99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)");

    private ProxyBenchmark() {
    }

    /**
     * One thing measured: a URL, the header it needs, and the processes whose CPU it costs. (Shared with the other
     * wrk benchmarks of this package, as are {@link #wrk}, {@link #median} and the CPU and load readers.)
     */
    record Cell(String name, String url, String header, Cpu cpu) {
    }

    interface Cpu {
        long ticks();
    }

    record Result(double rps, long requests, double cpuMicrosPerRequest, double p50Ms, double p99Ms) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("sandgate-proxy-bench-");
        List<Nginx> nginxes = new ArrayList<>();
        Vertx peers = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        try {
            int trivialPort = freePort();
            int nginxProxyPort = freePort();
            Process origin = nginx(nginxes, dir, "origin", 1, "server { listen 127.0.0.1:" + trivialPort + ";"
                    + " location / { return 200 \"ok\"; } }");
            Process nginxProxy = nginx(nginxes, dir, "proxy", 0, "upstream origin { server 127.0.0.1:" + trivialPort + ";"
                    + " keepalive 64; keepalive_requests 1000000; }"
                    + " server { listen 127.0.0.1:" + nginxProxyPort + "; location / { proxy_pass http://origin;"
                    + " proxy_http_version 1.1; proxy_set_header Connection \"\"; } }");
            nginxes.get(0).awaitListening(trivialPort);
            nginxes.get(1).awaitListening(nginxProxyPort);

            HttpServer slow = peers.createHttpServer().requestHandler(request -> peers.setTimer(10,
                    t -> request.response().end("ok"))).listen(0, "127.0.0.1").await();
            int slowPort = slow.actualPort();
            HttpServer vertxOrigin = peers.createHttpServer().requestHandler(request -> request.response().end("ok"))
                    .listen(0, "127.0.0.1").await();
            // as the broker listens: one server per core, each on an event loop of its own with its own pool
            int vertxProxyPort = freePort();
            peers.deployVerticle(() -> new io.vertx.core.VerticleBase() {
                @Override
                public io.vertx.core.Future<?> start() {
                    return vertx.createHttpServer().requestHandler(HttpProxy.reverseProxy(
                            vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                                    new PoolOptions().setHttp1MaxSize(CONNECTIONS)))
                            .origin(trivialPort, "127.0.0.1")).listen(vertxProxyPort, "127.0.0.1");
                }
            }, new io.vertx.core.DeploymentOptions().setInstances(LOOPS)).await();

            List<String> flags = List.of("--data-dir=" + dir.resolve("data"), "--isolation=none", "--port=0",
                    "--sandbox-disk-quota=0", "--max-connections-per-ip=0", "--auth-failures-per-minute=0",
                    "--token-mints-per-minute=0", "--access-log=" + System.getProperty("bench.accessLog", "false"));
            AppSettings settings = ((Invocation.Run) SettingsLoader.create(dir, dir).load(flags, Map.of())).settings();
            try (SandgateApp app = SandgateApp.start(settings, Clock.systemUTC(), new SecureRandom())) {
                Broker broker = new Broker(app.publicUrl().toString(), app.apiKey().value());
                broker.post("/v0/sandboxes", "{\"metadata\":{\"name\":\"bench\"}}");
                String publicUrl = broker.preview("trivial-public", trivialPort, true);
                String privateUrl = broker.preview("trivial-private", trivialPort, false);
                String privateToken = "X-Blaxel-Preview-Token: " + broker.token("trivial-private");
                String slowPublicUrl = broker.preview("slow-public", slowPort, true);
                String slowPrivateUrl = broker.preview("slow-private", slowPort, false);
                String slowToken = "X-Blaxel-Preview-Token: " + broker.token("slow-private");

                Cpu jvm = ProxyBenchmark::jvmTicksBesidesJit;
                Cpu originCpu = () -> treeTicks(origin);
                Cpu nginxCpu = () -> treeTicks(nginxProxy);
                Cpu none = () -> 0;
                List<Cell> trivial = List.of(
                        new Cell("direct", "http://127.0.0.1:" + trivialPort + "/", null, originCpu),
                        new Cell("nginx proxy", "http://127.0.0.1:" + nginxProxyPort + "/", null, nginxCpu),
                        new Cell("sandgate public", publicUrl, null, jvm),
                        new Cell("sandgate private", privateUrl, privateToken, jvm),
                        new Cell("vertx-http-proxy", "http://127.0.0.1:" + vertxProxyPort + "/", null, jvm),
                        new Cell("vert.x origin direct", "http://127.0.0.1:" + vertxOrigin.actualPort() + "/", null,
                                jvm));
                List<Cell> latency = List.of(
                        new Cell("10ms direct", "http://127.0.0.1:" + slowPort + "/", null, none),
                        new Cell("10ms sandgate public", slowPublicUrl, null, none),
                        new Cell("10ms sandgate private", slowPrivateUrl, slowToken, none));
                List<Cell> all = new ArrayList<>(trivial);
                all.addAll(latency);
                if (args.length > 2) {
                    List<String> only = List.of(args[2].split(","));
                    all.removeIf(cell -> !only.contains(cell.name()));
                }

                System.out.printf(Locale.ROOT, "proxy benchmark: wrk -t2 -c%d, %d s per cell, %d rounds; %d cores;"
                                + " %s; Vert.x transport %s; loadavg %s; cpu pressure %s%n", CONNECTIONS, seconds,
                        rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
                        peers.isNativeTransportEnabled() ? "native (epoll)" : "NIO", loadavg(), pressure());
                for (Cell cell : all) {
                    wrk(cell, Math.max(seconds, WARM_UP_SECONDS)); // the JIT, the pools, upstream connections
                }
                Map<String, List<Result>> results = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (Cell cell : all) {
                        Result result = wrk(cell, seconds);
                        results.computeIfAbsent(cell.name(), k -> new ArrayList<>()).add(result);
                        System.out.printf(Locale.ROOT, "  round %d  %-22s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms"
                                        + "  %s%n", r + 1, cell.name(), result.rps(), result.p50Ms(),
                                result.p99Ms(), cell.cpu() == none ? ""
                                        : String.format(Locale.ROOT, "%.1f µs CPU/req", result.cpuMicrosPerRequest()));
                    }
                }
                if (args.length <= 2) {
                    report(results, trivial, latency);
                }
                System.out.printf(Locale.ROOT, "after: loadavg %s; cpu pressure %s%n", loadavg(), pressure());
            }
        } finally {
            for (Nginx n : nginxes) {
                n.close();
            }
            peers.close().await();
        }
    }

    private static void report(Map<String, List<Result>> results, List<Cell> trivial, List<Cell> latency) {
        System.out.println();
        System.out.println("| origin | path | median req/s | × direct | p50 ms | p99 ms | proxy CPU µs/req |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (List<Cell> group : List.of(trivial, latency)) {
            double direct = median(results.get(group.get(0).name()), Result::rps);
            for (Cell cell : group) {
                List<Result> rs = results.get(cell.name());
                double cpu = median(rs, Result::cpuMicrosPerRequest);
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %s |%n",
                        group == trivial ? "trivial" : "10 ms", cell.name(), median(rs, Result::rps),
                        median(rs, Result::rps) / direct, median(rs, Result::p50Ms), median(rs, Result::p99Ms),
                        cpu == 0 ? "—" : String.format(Locale.ROOT, "%.1f", cpu));
            }
        }
        double nginx = median(results.get("nginx proxy"), Result::rps);
        double vertx = median(results.get("vertx-http-proxy"), Result::rps);
        double slowDirect = median(results.get("10ms direct"), Result::rps);
        System.out.println();
        for (String name : List.of("sandgate public", "sandgate private")) {
            double rps = median(results.get(name), Result::rps);
            System.out.printf(Locale.ROOT, "%-17s trivial: %.2f × nginx proxy (target ≥ 0.75), %.2f × vertx-http-proxy;"
                    + " round by round %s × nginx%n", name, rps / nginx, rps / vertx,
                    paired(results.get(name), results.get("nginx proxy")));
        }
        for (String name : List.of("10ms sandgate public", "10ms sandgate private")) {
            System.out.printf(Locale.ROOT, "%-22s %.2f × direct (target ≥ 0.95); round by round %s%n", name,
                    median(results.get(name), Result::rps) / slowDirect,
                    paired(results.get(name), results.get("10ms direct")));
        }
    }

    /**
     * The ratio of {@code path} to {@code reference} within each round (their cells ran minutes apart at most, so a
     * drift of the machine weighs on both), as "median (lowest–highest)".
     */
    static String paired(List<Result> path, List<Result> reference) {
        double[] ratios = new double[Math.min(path.size(), reference.size())];
        for (int r = 0; r < ratios.length; r++) {
            ratios[r] = path.get(r).rps() / reference.get(r).rps();
        }
        java.util.Arrays.sort(ratios);
        int n = ratios.length;
        double median = n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", median, ratios[0], ratios[n - 1]);
    }

    interface Metric {
        double of(Result r);
    }

    static double median(List<Result> results, Metric metric) {
        double[] values = results.stream().mapToDouble(metric::of).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    static Result wrk(Cell cell, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + CONNECTIONS, "-d" + seconds + "s",
                "--latency"));
        if (cell.header() != null) {
            command.add("-H");
            command.add(cell.header());
        }
        command.add(cell.url());
        long before = cell.cpu().ticks();
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed for " + cell.name() + ":\n" + out);
        }
        long ticks = cell.cpu().ticks() - before;
        Matcher bad = NON_2XX.matcher(out);
        Matcher errors = ERRORS.matcher(out);
        if (bad.find() || errors.find()) {
            throw new IllegalStateException(cell.name() + " answered errors:\n" + out);
        }
        long requests = Long.parseLong(find(REQUESTS, out, cell));
        double cpuMicros = ticks * (1_000_000.0 / 100) / requests; // USER_HZ is 100 on Linux
        return new Result(Double.parseDouble(find(RPS, out, cell)), requests, cpuMicros, millis(P50, out, cell),
                millis(P99, out, cell));
    }

    private static String find(Pattern pattern, String out, Cell cell) {
        Matcher m = pattern.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in wrk's output for " + cell.name() + ":\n" + out);
        }
        return m.group(1);
    }

    private static double millis(Pattern pattern, String out, Cell cell) {
        Matcher m = pattern.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in wrk's output for " + cell.name() + ":\n" + out);
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    /**
     * This JVM's CPU time without its JIT compiler threads: on a busy box the JIT may still be compiling during the
     * first rounds, which is no cost of the path being measured.
     */
    static long jvmTicksBesidesJit() {
        return CpuTicks.threads(thread -> "jvm").values().stream().mapToLong(Long::longValue).sum();
    }

    private static long treeTicks(Process root) {
        return CpuTicks.process(root.pid()) + root.descendants().mapToLong(p -> CpuTicks.process(p.pid())).sum();
    }

    /** An nginx of this benchmark ({@link Nginx}): no access log, long keep-alive; added to {@code started}. */
    private static Process nginx(List<Nginx> started, Path dir, String name, int workers, String server)
            throws IOException {
        Nginx nginx = Nginx.start(dir, name, workers, "access_log off; keepalive_requests 1000000;"
                + " keepalive_timeout 120s; " + server);
        started.add(nginx);
        return nginx.process();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String pressure() {
        try {
            return Files.readAllLines(Path.of("/proc/pressure/cpu")).get(0);
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The control plane, with the API key. */
    record Broker(String base, String key) {
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        JsonObject post(String path, String body) throws IOException, InterruptedException {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("x-blaxel-authorization", "Bearer " + key).header("x-blaxel-workspace", "default")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + response.body());
            }
            return new JsonObject(response.body());
        }

        String preview(String name, int port, boolean isPublic) throws IOException, InterruptedException {
            String url = post("/v0/sandboxes/bench/previews", "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":"
                    + "{\"port\":" + port + ",\"public\":" + isPublic + "}}").getJsonObject("spec").getString("url");
            return url.endsWith("/") ? url : url + "/";
        }

        String token(String preview) throws IOException, InterruptedException {
            String expires = Instant.now().plus(Duration.ofHours(2)).toString();
            return post("/v0/sandboxes/bench/previews/" + preview + "/tokens", "{\"metadata\":{\"name\":\"bench\"},"
                    + "\"spec\":{\"expiresAt\":\"" + expires + "\"}}").getJsonObject("spec").getString("token");
        }
    }
}
