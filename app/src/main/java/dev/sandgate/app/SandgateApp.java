package dev.sandgate.app;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import com.google.inject.spi.Message;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.vertx.AdminServer;
import dev.sandgate.adapter.vertx.BrokerServer;
import dev.sandgate.ports.audit.AuditLog;
import dev.sandgate.ports.audit.AuditTrail;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running program: the broker listening, the gateway serving, everything registered in one {@link Lifecycle}.
 * {@link #close()} shuts it down cleanly (the broker stops listening, processes are stopped and state flushed, Vert.x
 * closes); the JVM's shutdown hook calls it on SIGTERM.
 */
public final class SandgateApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandgateApp.class);

    private final AppSettings settings;
    private final ApiKey apiKey;
    private final BrokerServer broker;
    private final Optional<AdminServer> admin;
    private final Optional<IsolationMode> isolation;
    private final SessionRefusal sessions;
    private final Lifecycle lifecycle;
    private final AuditTrail audit;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private SandgateApp(AppSettings settings, ApiKey apiKey, BrokerServer broker, Optional<AdminServer> admin,
                        Optional<IsolationMode> isolation, SessionRefusal sessions, Lifecycle lifecycle,
                        AuditTrail audit) {
        this.audit = audit;
        this.settings = settings;
        this.apiKey = apiKey;
        this.broker = broker;
        this.admin = admin;
        this.isolation = isolation;
        this.sessions = sessions;
        this.lifecycle = lifecycle;
    }

    /** Starts the program with the system clock and a fresh {@link SecureRandom}. */
    public static SandgateApp start(AppSettings settings) {
        return start(settings, Clock.systemUTC(), new SecureRandom());
    }

    /**
     * Resolves the API key (generating it on first start), wires the modules for the configured gateway and starts
     * serving. {@link ConfigurationException} or {@link IllegalArgumentException} when a setting is refused, or
     * {@link IllegalStateException} when something cannot start (bubblewrap required but not working, the port in
     * use); nothing stays open after a failure.
     */
    public static SandgateApp start(AppSettings settings, Clock clock, SecureRandom random) {
        Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        Objects.requireNonNull(random, "random must not be null");
        LOG.info("Sandgate {} starting: gateway {}, workspace {}", version(), settings.gateway().key(),
                settings.workspace());
        settings.configFile().ifPresent(file -> LOG.info("settings file: {}", file));
        ApiKey apiKey = ApiKey.resolve(settings.apiKey(), settings.dataDir(), random);
        Lifecycle lifecycle = new Lifecycle();
        try {
            Injector injector = Guice.createInjector(Stage.PRODUCTION,
                    new CoreModule(settings, apiKey, clock, lifecycle),
                    new BrokerModule(),
                    GatewayModules.of(settings));
            BrokerServer broker = injector.getInstance(BrokerServer.class);
            Optional<AdminServer> admin = injector.getInstance(Key.get(new TypeLiteral<Optional<AdminServer>>() {
            }));
            Optional<IsolationMode> isolation = injector.getExistingBinding(Key.get(Isolation.class))
                    == null ? Optional.empty() : Optional.of(injector.getInstance(Isolation.class).inForce());
            SandgateApp app = new SandgateApp(settings, apiKey, broker, admin, isolation,
                    injector.getInstance(SessionRefusal.class), lifecycle, injector.getInstance(AuditLog.class)::query);
            app.logSummary();
            return app;
        } catch (CreationException e) {
            lifecycle.close();
            throw unwrap(e.getErrorMessages(), e);
        } catch (ProvisionException e) {
            lifecycle.close();
            throw unwrap(e.getErrorMessages(), e);
        } catch (RuntimeException | Error e) {
            lifecycle.close();
            throw e;
        }
    }

    /** The address the broker listens on: {@code http://host:port} with the real port. */
    public URI listenUrl() {
        String host = settings.host().contains(":") && !settings.host().startsWith("[")
                ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + broker.actualPort());
    }

    /** The URL clients use: the configured public URL, or {@link #listenUrl()}. */
    public URI publicUrl() {
        return broker.publicUrl();
    }

    public int port() {
        return broker.actualPort();
    }

    /** The admin listener's port ({@code /metrics}, {@code /healthz}, {@code /readyz}), when it is set. */
    public java.util.OptionalInt adminPort() {
        return admin.map(a -> java.util.OptionalInt.of(a.actualPort())).orElseGet(java.util.OptionalInt::empty);
    }

    /** How many requests this broker forwarded to other nodes of its cluster. */
    public long forwardedRequests() {
        return broker.forwardedRequests();
    }

    /**
     * Each sandbox's audit trail, as the API-key holder reads it ({@code GET /v0/sandboxes/{name}/audit}); give it to
     * {@code Sandgate.withAuditTrail} for {@code SandboxInstance.audit}. Blocking: not on an event loop.
     */
    public AuditTrail auditTrail() {
        return audit;
    }

    public ApiKey apiKey() {
        return apiKey;
    }

    public AppSettings settings() {
        return settings;
    }

    /** The process isolation in force ({@code BWRAP} or {@code NONE}), when the gateway runs processes here. */
    public Optional<IsolationMode> isolation() {
        return isolation;
    }

    /**
     * Whether session URLs refuse session tokens (403; the API key only), because processes run without isolation and
     * the operator did not set {@link Setting#ALLOW_UNISOLATED_SESSIONS}.
     */
    public boolean refusesSessions() {
        return sessions.reason().isPresent();
    }

    /** Blocks until {@link #close()} finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops the broker, the processes and Vert.x, flushing state; idempotent, and safe from a shutdown hook. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("shutting down: stopping the broker and every process");
        try {
            lifecycle.close();
            LOG.info("stopped");
        } finally {
            terminated.countDown();
        }
    }

    private void logSummary() {
        LOG.info("listening address: {} (clients use {})", listenUrl(), publicUrl());
        LOG.info("data directory: {}", settings.dataDir());
        settings.broker().adminListen().ifPresentOrElse(a -> LOG.info("admin listener (/metrics, /healthz, /readyz): "
                + "{}:{}", a.host(), adminPort().orElseThrow()), () -> LOG.info("admin listener: off (set {} for "
                + "/metrics); /healthz and /readyz are on the broker's listener", Setting.ADMIN_LISTEN.flag()));
        settings.upstream().ifPresent(upstream -> {
            // The URL cannot hold credentials (user info is refused); the key is only said to be there, and whence.
            LOG.info("gateway: remote, fronting {} (workspace {}; its API key from {})", upstream.url(),
                    upstream.workspace(), upstream.keyOrigin());
            LOG.info("previews are proxied to {}:<preview port>; set upstream-host when the provider runs on another"
                    + " machine", settings.broker().upstreamHost());
        });
        if (settings.gateway() == GatewayKind.LOCAL) {
            LOG.info("gateway: local (sandboxes and their processes on this machine{})",
                    settings.store().kind() == StoreSettings.Kind.REDIS ? "; a node of the cluster on Redis" : "");
        }
        if (settings.gateway() == GatewayKind.CLUSTER) {
            LOG.info("gateway: cluster (a front: sandboxes run on the cluster's nodes, requests are forwarded there)");
        }
        isolation.ifPresent(mode -> {
            if (mode == IsolationMode.NONE) {
                LOG.warn("process isolation in force: NONE (configured: {}); sandbox processes run unconfined",
                        settings.isolation().wireName());
            } else {
                LOG.info("process isolation in force: {} (configured: {})", mode.wireName(),
                        settings.isolation().wireName());
            }
        });
        logSessions();
        if (apiKey.file().isEmpty()) {
            LOG.info("API key: as configured (--api-key, SANDGATE_API_KEY or the settings file)");
        } else if (apiKey.generated()) {
            LOG.info("API key: generated into {} (mode 0600); send it as 'x-blaxel-authorization: Bearer <key>'",
                    apiKey.file().get());
        } else {
            LOG.info("API key: read from {}", apiKey.file().get());
        }
    }

    private void logSessions() {
        if (sessions.reason().isPresent()) {
            LOG.warn("sessions: REFUSED, because process isolation is off: only the API key may run code in a "
                    + "sandbox; set {} to serve session tokens anyway", Setting.ALLOW_UNISOLATED_SESSIONS.flag());
        } else if (isolation.filter(mode -> mode == IsolationMode.NONE).isPresent()) {
            LOG.warn("sessions: SERVED ALTHOUGH PROCESS ISOLATION IS OFF ({}): whoever holds a session runs code on the "
                    + "host as the broker's user and can read the API key and every sandbox",
                    Setting.ALLOW_UNISOLATED_SESSIONS.flag());
        } else if (isolation.isPresent()) {
            LOG.info("sessions: served (sandbox processes are isolated)");
        } else {
            LOG.info("sessions: served (the upstream runs the processes and isolates them)");
        }
    }

    private static RuntimeException unwrap(Collection<Message> messages, RuntimeException wrapper) {
        for (Message message : messages) {
            Throwable cause = message.getCause();
            if (cause instanceof RuntimeException runtime) {
                return runtime;
            }
        }
        return wrapper;
    }

    private static String version() {
        String version = SandgateApp.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }
}
