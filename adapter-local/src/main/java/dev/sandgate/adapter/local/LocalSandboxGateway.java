package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.limits.LocalLimits;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.SandboxNetwork;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.access.PreviewAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes on this machine. Each sandbox is a directory {@code <dataDir>/sandboxes/<name>/} holding its files under
 * {@code root/} and its record in {@code sandbox.json} ({@link SandboxDirectories}), so a new instance over the same
 * data directory finds every sandbox again; previews and tokens live in the {@link AccessStore} given (by default a
 * {@link FileAccessStore} under {@code <dataDir>/access}), so they survive too, and tokens stay valid. They are
 * answered by {@link PreviewAccess}, as in a broker in front of another provider.
 *
 * <p><b>Images.</b> {@code image} is recorded; a new sandbox's root starts as a copy of the image's template
 * directory when there is one (see {@link SandboxDirectories}), else empty.
 *
 * <p><b>Environment.</b> A process gets the sandbox's {@code envs} with its own {@code env} laid over them.
 *
 * <p><b>Lifecycle.</b> Deleting a sandbox kills its processes, drops its previews and tokens, renames its directory
 * away (atomically, so a crash never brings it back) and then deletes it. Creating a sandbox first drops any previews
 * left under its name by an interrupted delete, so an old token can never open a new sandbox. Preview and token
 * changes hold only their own sandbox's lock, shared with each other ({@link LocalSandbox#whileLive}): a deletion
 * waits for those running and none starts after it, so none leaves a record behind. {@link #close()} stops
 * every process gracefully (SIGTERM, SIGKILL after the grace period).
 *
 * <p><b>Limits.</b> Each sandbox's processes share its control group (its {@code memory}, a process count, a CPU
 * quota) and its files live on a file system of their own when the disk quota is on (see
 * {@link dev.sandgate.adapter.local.limits.LocalLimits}); deleting a sandbox, or closing the gateway, removes the
 * group and unmounts the file system, and a new gateway mounts the file systems of the sandboxes it finds.
 */
public final class LocalSandboxGateway implements SandboxGateway, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSandboxGateway.class);

    private final LocalSettings settings;
    private final Isolation isolation;
    private final SandboxNetwork network;
    private final Clock clock;
    private final UrlScheme urls;
    private final LocalLimits limits;
    private final SandboxDirectories directories;
    private final PreviewAccess previews;
    private final Object lifecycle = new Object();
    private final ConcurrentSkipListMap<String, LocalSandbox> sandboxes = new ConcurrentSkipListMap<>();
    private volatile boolean closed;
    /** The store {@link #open} made for this gateway alone, closed with it; a store passed in is its owner's. */
    private Optional<FileAccessStore> ownedStore = Optional.empty();

    /**
     * A gateway over {@code settings.dataDir()}, loading the sandboxes found there.
     *
     * @param access    where previews and tokens live (shared with a broker, or a {@link FileAccessStore})
     * @param isolation how processes run, as {@link Isolation#resolve} decided
     */
    public LocalSandboxGateway(LocalSettings settings, AccessStore access, Isolation isolation, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(access, "access must not be null");
        this.isolation = Objects.requireNonNull(isolation, "isolation must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.network = SandboxNetwork.resolve(isolation, settings.network());
        this.urls = settings.urls();
        this.limits = LocalLimits.resolve(settings.limits(), settings.dataDir());
        this.directories = new SandboxDirectories(settings, limits.disk());
        this.previews = new PreviewAccess(access, urls, clock, new PreviewAccess.SandboxCheck() {
            @Override
            public boolean exists(SandboxName sandbox) {
                return sandboxes.containsKey(sandbox.value());
            }

            @Override
            public <T> T whileExists(SandboxName sandbox, Supplier<T> change) {
                return state(sandbox).whileLive(change); // not deleted meanwhile, and no lock across sandboxes
            }
        });
        for (SandboxDirectories.Found found : directories.load()) {
            sandboxes.put(found.sandbox().name().value(), sandbox(found.sandbox(), found.dir()));
        }
        LOG.info("local gateway: {} sandbox(es), process isolation {}", sandboxes.size(),
                isolation.inForce().wireName());
    }

    /**
     * Builds everything from the settings: resolves the isolation (probing bubblewrap), opens the
     * {@link FileAccessStore} with its key (creating the key on first start), and loads the sandboxes.
     */
    public static LocalSandboxGateway open(LocalSettings settings, Clock clock) {
        Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(clock, "clock must not be null");
        Isolation isolation = Isolation.resolve(settings.isolation());
        FileAccessStore access = FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(),
                settings.durableWrites());
        LocalSandboxGateway gateway = new LocalSandboxGateway(settings, access, isolation, clock);
        gateway.ownedStore = Optional.of(access);
        return gateway;
    }

    private LocalSandbox sandbox(Sandbox sandbox, Path dir) {
        return new LocalSandbox(sandbox, dir, SandboxDirectories.root(dir), settings, isolation, clock, limits,
                network);
    }

    /** The isolation processes run under. */
    public Isolation isolation() {
        return isolation;
    }

    /** The network of the sandboxes: a namespace each under bubblewrap, else the host's. */
    public SandboxNetwork network() {
        return network;
    }

    // ------------------------------------------------------------------ sandboxes

    @Override
    public Sandbox createSandbox(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        synchronized (lifecycle) {
            requireOpen();
            if (sandboxes.containsKey(spec.name().value())) {
                throw new SandgateException.Conflict("sandbox " + spec.name() + " already exists");
            }
            previews.forgetSandbox(spec.name());
            Instant now = clock.instant();
            Sandbox sandbox = new Sandbox(spec, SandboxStatus.DEPLOYED, urls.sandboxUrl(spec.name()), now, now);
            Path dir;
            try {
                dir = directories.create(sandbox);
            } catch (IOException e) {
                throw unavailable("sandbox " + spec.name() + " could not be created", e);
            }
            sandboxes.put(spec.name().value(), sandbox(sandbox, dir));
            LOG.info("created sandbox {} (image {}{})", spec.name(), spec.image(),
                    directories.template(spec.image()).isPresent() ? ", from its template" : "");
            return sandbox;
        }
    }

    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        Objects.requireNonNull(name, "name must not be null");
        return Optional.ofNullable(sandboxes.get(name.value())).map(LocalSandbox::sandbox);
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return sandboxes.values().stream().map(LocalSandbox::sandbox).toList();
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        synchronized (lifecycle) {
            LocalSandbox state = state(spec.name());
            Sandbox old = state.sandbox();
            Instant now = clock.instant();
            Sandbox updated = new Sandbox(spec, old.status(), old.url(), old.createdAt(),
                    now.isBefore(old.createdAt()) ? old.createdAt() : now);
            if (spec.memoryMb() != old.spec().memoryMb()) {
                state.limitMemory(spec.memoryMb());
            }
            try {
                directories.writeRecord(state.dir(), updated);
            } catch (IOException e) {
                throw unavailable("sandbox " + spec.name() + " could not be saved", e);
            }
            state.updated(updated);
            return updated;
        }
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        Objects.requireNonNull(name, "name must not be null");
        LocalSandbox state;
        Path away;
        synchronized (lifecycle) {
            state = state(name);
            sandboxes.remove(name.value());
            state.deleted();
            state.closeProcesses();
            state.releaseLimits();
            previews.forgetSandbox(name);
            away = directories.moveAway(name, state.dir());
        }
        directories.deleteAway(name, away);
        LOG.info("deleted sandbox {}", name);
        return state.sandbox().withStatus(SandboxStatus.DELETING);
    }

    // ------------------------------------------------------------------ previews and tokens

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        return previews.createPreview(sandbox, spec);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return previews.findPreview(sandbox, name);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        return previews.listPreviews(sandbox);
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        return previews.updatePreview(sandbox, spec);
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        return previews.deletePreview(sandbox, name);
    }

    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        return previews.revokeSessions(sandbox, subject);
    }

    @Override
    public Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        return previews.renewSession(sandbox, session, expiresAt);
    }

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        return previews.createToken(sandbox, preview, name, expiresAt);
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        return previews.listTokens(sandbox, preview);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        return previews.deleteToken(sandbox, preview, name);
    }

    // ------------------------------------------------------------------ data plane

    @Override
    public DataPlane dataPlane(SandboxName sandbox) {
        return state(sandbox).dataPlane();
    }

    /** The CPU time the processes of a sandbox have used, where it is accounted (for tests). */
    OptionalLong cpuUsageNanos(SandboxName name) {
        return state(name).cpuUsageNanos();
    }

    /**
     * A sandbox with a network namespace of its own is reached through a Unix socket relayed into it (see
     * {@link SandboxNetwork}); without isolation, empty: the port is on the host's loopback.
     */
    @Override
    public Optional<PortAddress> portAddress(SandboxName sandbox, Port port) {
        Objects.requireNonNull(port, "port must not be null");
        return state(sandbox).network().relay(port).map(PortAddress.UnixSocket::new);
    }

    /** Stops every process of every sandbox gracefully, in parallel; the sandboxes themselves stay. Idempotent. */
    @Override
    public void close() {
        List<LocalSandbox> all;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(sandboxes.values());
        }
        List<Thread> stoppers = new ArrayList<>();
        for (LocalSandbox state : all) {
            Thread t = new Thread(state::stopProcesses, "sandgate-stop-" + state.sandbox().name());
            t.setDaemon(true);
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        all.forEach(LocalSandbox::releaseLimits);
        limits.close();
        network.close();
        ownedStore.ifPresent(FileAccessStore::close);
    }

    // ------------------------------------------------------------------ state

    private LocalSandbox state(SandboxName name) {
        Objects.requireNonNull(name, "sandbox must not be null");
        LocalSandbox state = sandboxes.get(name.value());
        if (state == null) {
            throw new SandgateException.NotFound("sandbox " + name + " not found");
        }
        return state;
    }

    private void requireOpen() {
        if (closed) {
            throw new SandgateException.Unavailable("the local gateway is closed");
        }
    }

    private static SandgateException.Unavailable unavailable(String message, IOException e) {
        LOG.warn("{}: {}", message, e.toString());
        return new SandgateException.Unavailable(message, e);
    }
}
