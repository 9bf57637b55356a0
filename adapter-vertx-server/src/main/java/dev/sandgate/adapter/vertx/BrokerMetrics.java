package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.ports.SandboxGateway;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's meters in Micrometer, scraped in Prometheus's text format from the admin listener
 * ({@link AdminServer}). The only class that names a meter; the broker's handlers move them through
 * {@link BrokerMeters}. Names as Prometheus shows them:
 *
 * <ul>
 * <li>{@code sandgate_requests_seconds_count|sum|max{face,status}}: answered requests by face
 * ({@code control_plane}, {@code data_plane}, {@code session}, {@code preview}, {@code health}, {@code other}) and
 * status code;</li>
 * <li>{@code sandgate_streams_open}, {@code sandgate_tunnels_open}: streamed answers and preview WebSocket tunnels
 * open now;</li>
 * <li>{@code sandgate_sessions_minted_total}, {@code sandgate_sessions_revoked_total};</li>
 * <li>{@code sandgate_sandboxes{node}}, {@code sandgate_processes{node}} (running), read from the gateway when
 * scraped;</li>
 * <li>{@code sandgate_proxied_bytes_total{direction="to_sandbox"|"to_client"}}: the preview proxy's bodies and
 * tunnel traffic;</li>
 * <li>{@code sandgate_store_calls_seconds_count|sum|max{operation,outcome}}: the shared store's round trips;</li>
 * <li>{@code sandgate_forwarded_requests_total}: requests forwarded to the node that owns their sandbox;</li>
 * <li>{@code sandgate_audit_dropped_total{to="store"|"webhook"}}: audit entries dropped because the store's queue
 * was full or the store failed, or because the webhook's queue was full (its oldest).</li>
 * </ul>
 * Vert.x's own {@code vertx_http_server_*} and {@code vertx_http_client_*} meters go to the same registry when the
 * application creates Vert.x with it.
 */
public final class BrokerMetrics implements BrokerMeters {
    private final PrometheusMeterRegistry registry;
    private final Map<Integer, Timer> answers = new ConcurrentHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger tunnels = new AtomicInteger();
    private final Counter minted;
    private final Counter revoked;
    private final Counter toSandbox;
    private final Counter toClient;
    private final Counter forwarded;
    private final Counter auditDroppedStore;
    private final Counter auditDroppedWebhook;

    private BrokerMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sandgate.streams.open", streams, AtomicInteger::get)
                .description("streamed answers (log streams, watches, streamed execs) open now").register(registry);
        Gauge.builder("sandgate.tunnels.open", tunnels, AtomicInteger::get)
                .description("preview WebSocket tunnels open now").register(registry);
        this.minted = Counter.builder("sandgate.sessions.minted")
                .description("tokens minted for sessions (port-443 previews)").register(registry);
        this.revoked = Counter.builder("sandgate.sessions.revoked")
                .description("sessions revoked: their preview or their token deleted").register(registry);
        this.toSandbox = Counter.builder("sandgate.proxied.bytes").tag("direction", "to_sandbox").baseUnit("bytes")
                .description("bytes the preview proxy carried").register(registry);
        this.toClient = Counter.builder("sandgate.proxied.bytes").tag("direction", "to_client").baseUnit("bytes")
                .description("bytes the preview proxy carried").register(registry);
        this.forwarded = Counter.builder("sandgate.forwarded.requests")
                .description("requests forwarded to the node that owns the sandbox").register(registry);
        this.auditDroppedStore = Counter.builder("sandgate.audit.dropped").tag("to", "store")
                .description("audit entries dropped on their way to the store or the webhook").register(registry);
        this.auditDroppedWebhook = Counter.builder("sandgate.audit.dropped").tag("to", "webhook")
                .description("audit entries dropped on their way to the store or the webhook").register(registry);
    }

    /** Meters in {@code registry}. */
    public static BrokerMetrics create(PrometheusMeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        return new BrokerMetrics(registry);
    }

    /** The registry (Vert.x's own meters may be bound to it). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Everything, in Prometheus's text format. Reads the gateway (the per-node gauges): call it off the event loop. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * The per-node gauges of {@code gateway}: its sandboxes and their running processes, counted when scraped (one
     * listing per scrape; NaN when the gateway fails), tagged with {@code node} (the broker's listening address until
     * nodes have ids of their own).
     */
    void watch(SandboxGateway gateway, String node) {
        Objects.requireNonNull(gateway, "gateway must not be null");
        Objects.requireNonNull(node, "node must not be null");
        Gauge.builder("sandgate.sandboxes", gateway, g -> count(() -> g.listSandboxes().size()))
                .tag("node", node).description("sandboxes on this node").register(registry);
        Gauge.builder("sandgate.processes", gateway, g -> count(() -> runningProcesses(g)))
                .tag("node", node).description("running processes in this node's sandboxes").register(registry);
    }

    private static long runningProcesses(SandboxGateway gateway) {
        long running = 0;
        for (Sandbox sandbox : gateway.listSandboxes()) {
            try {
                running += gateway.dataPlane(sandbox.name()).listProcesses().stream().filter(ProcessInfo::isRunning)
                        .count();
            } catch (RuntimeException goneMeanwhile) {
                // deleted between the listing and this call
            }
        }
        return running;
    }

    private static double count(java.util.function.LongSupplier count) {
        try {
            return count.getAsLong();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** One round trip to the shared store ({@code operation}: the command or script), for its latency. */
    public void storeCall(String operation, Duration took, boolean failed) {
        Timer.builder("sandgate.store.calls").tag("operation", operation).tag("outcome", failed ? "error" : "ok")
                .description("round trips to the shared store").register(registry).record(took);
    }

    @Override
    public void answered(Face face, int status, long nanos) {
        int key = face.ordinal() * 1000 + Math.floorMod(status, 1000);
        answers.computeIfAbsent(key, k -> Timer.builder("sandgate.requests").tag("face", face.tag())
                .tag("status", Integer.toString(status)).description("requests answered, by face and status")
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void streamOpened() {
        streams.incrementAndGet();
    }

    @Override
    public void streamClosed() {
        streams.decrementAndGet();
    }

    @Override
    public void tunnelOpened() {
        tunnels.incrementAndGet();
    }

    @Override
    public void tunnelClosed() {
        tunnels.decrementAndGet();
    }

    @Override
    public void sessionMinted() {
        minted.increment();
    }

    @Override
    public void sessionRevoked() {
        revoked.increment();
    }

    @Override
    public void proxiedToSandbox(long bytes) {
        toSandbox.increment(bytes);
    }

    @Override
    public void forwarded() {
        forwarded.increment();
    }

    @Override
    public void auditDropped(String to) {
        (to.equals("webhook") ? auditDroppedWebhook : auditDroppedStore).increment();
    }

    @Override
    public void proxiedToClient(long bytes) {
        toClient.increment(bytes);
    }
}
