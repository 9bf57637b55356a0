package dev.sandgate.adapter.local;

// Over 400 lines: the local gateway composes sandboxes, previews, limits, disk and network; the preview/token half is to move into one class shared with the brokered gateway (issue 12), not done yet.

import dev.sandgate.adapter.local.LocalRecords.SandboxRecord;
import dev.sandgate.adapter.local.limits.LocalLimits;
import dev.sandgate.adapter.local.limits.SandboxCgroup;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.LocalProcesses;
import dev.sandgate.adapter.local.process.NetworkNamespace;
import dev.sandgate.adapter.local.process.SandboxNetwork;
import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes on this machine. Each sandbox is a directory {@code <dataDir>/sandboxes/<name>/} holding its files under
 * {@code root/} and its record in {@code sandbox.json} (written atomically), so a new instance over the same data
 * directory finds every sandbox again; previews and tokens live in the {@link AccessStore} given (by default a
 * {@link FileAccessStore} under {@code <dataDir>/access}), so they survive too, and tokens stay valid.
 *
 * <p><b>Images.</b> {@code image} is recorded. A new sandbox's root starts as a copy of the template directory
 * {@code <dataDir>/images/<image name mapped>} when there is one, else empty. The mapping keeps
 * {@code A-Z a-z 0-9 . _ -}, turns {@code /} into {@code _} and {@code :} into {@code +}, and every other character
 * into {@code _}; so {@code blaxel/base-image:latest} is looked up as {@code blaxel_base-image+latest}. A mapped
 * name starting with {@code .} never names a template.
 *
 * <p><b>Environment.</b> A process gets the sandbox's {@code envs} with its own {@code env} laid over them.
 *
 * <p><b>Lifecycle.</b> Deleting a sandbox kills its processes, drops its previews and tokens, renames its directory
 * away (atomically, so a crash never brings it back) and then deletes it. Creating a sandbox first drops any previews
 * left under its name by an interrupted delete, so an old token can never open a new sandbox. {@link #close()} stops
 * every process gracefully (SIGTERM, SIGKILL after the grace period).
 *
 * <p><b>Limits.</b> Each sandbox's processes share its control group (its {@code memory}, a process count, a CPU
 * quota) and its files live on a file system of their own when the disk quota is on (see
 * {@link dev.sandgate.adapter.local.limits.LocalLimits}); deleting a sandbox, or closing the gateway, removes the
 * group and unmounts the file system, and a new gateway mounts the file systems of the sandboxes it finds.
 */
public final class LocalSandboxGateway implements SandboxGateway, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSandboxGateway.class);
    private static final String RECORD = "sandbox.json";
    private static final String ROOT = "root";
    private static final String DELETED_PREFIX = ".deleted-";

    private final LocalSettings settings;
    private final AccessStore access;
    private final Isolation isolation;
    private final SandboxNetwork network;
    private final Clock clock;
    private final UrlScheme urls;
    private final Path sandboxesDir;
    private final LocalLimits limits;
    private final Object lifecycle = new Object();
    private final AtomicLong deletions = new AtomicLong();
    private final ConcurrentSkipListMap<String, SandboxState> sandboxes = new ConcurrentSkipListMap<>();
    private volatile boolean closed;

    /**
     * A gateway over {@code settings.dataDir()}, loading the sandboxes found there.
     *
     * @param access    where previews and tokens live (shared with a broker, or a {@link FileAccessStore})
     * @param isolation how processes run, as {@link Isolation#resolve} decided
     */
    public LocalSandboxGateway(LocalSettings settings, AccessStore access, Isolation isolation, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings must not be null");
        this.access = Objects.requireNonNull(access, "access must not be null");
        this.isolation = Objects.requireNonNull(isolation, "isolation must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.network = SandboxNetwork.resolve(isolation, settings.network());
        this.urls = settings.urls();
        this.sandboxesDir = settings.sandboxesDir();
        this.limits = LocalLimits.resolve(settings.limits(), settings.dataDir());
        load();
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
        return new LocalSandboxGateway(settings, access, isolation, clock);
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
            access.removeSandbox(spec.name());
            Path dir = sandboxesDir.resolve(spec.name().value());
            Instant now = clock.instant();
            Sandbox sandbox = new Sandbox(spec, SandboxStatus.DEPLOYED, urls.sandboxUrl(spec.name()), now, now);
            try {
                AtomicFiles.deleteTree(dir); // the remains of a create that crashed before its record was written
                Files.createDirectories(dir);
                Path root = dir.resolve(ROOT);
                limits.disk().provision(dir, root);
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
                Optional<Path> template = template(spec.image());
                if (template.isPresent()) {
                    copyTree(template.get(), root);
                }
                writeRecord(dir, sandbox);
            } catch (IOException e) {
                limits.disk().detach(dir.resolve(ROOT));
                try {
                    AtomicFiles.deleteTree(dir);
                } catch (IOException ignored) {
                    // reported below
                }
                throw unavailable("sandbox " + spec.name() + " could not be created", e);
            }
            sandboxes.put(spec.name().value(), new SandboxState(sandbox, dir));
            LOG.info("created sandbox {} (image {}{})", spec.name(), spec.image(),
                    template(spec.image()).isPresent() ? ", from its template" : "");
            return sandbox;
        }
    }

    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        Objects.requireNonNull(name, "name must not be null");
        return Optional.ofNullable(sandboxes.get(name.value())).map(s -> s.sandbox);
    }

    @Override
    public List<Sandbox> listSandboxes() {
        return sandboxes.values().stream().map(s -> s.sandbox).toList();
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        synchronized (lifecycle) {
            SandboxState state = state(spec.name());
            Sandbox old = state.sandbox;
            Instant now = clock.instant();
            Sandbox updated = new Sandbox(spec, old.status(), old.url(), old.createdAt(),
                    now.isBefore(old.createdAt()) ? old.createdAt() : now);
            if (spec.memoryMb() != old.spec().memoryMb()) {
                state.limitMemory(spec.memoryMb());
            }
            try {
                writeRecord(state.dir, updated);
            } catch (IOException e) {
                throw unavailable("sandbox " + spec.name() + " could not be saved", e);
            }
            state.sandbox = updated;
            return updated;
        }
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        Objects.requireNonNull(name, "name must not be null");
        SandboxState state;
        Path away;
        synchronized (lifecycle) {
            state = state(name);
            sandboxes.remove(name.value());
            state.deleted();
            away = sandboxesDir.resolve(DELETED_PREFIX + name.value() + "-" + deletions.incrementAndGet() + "-"
                    + System.nanoTime());
            state.closeProcesses();
            state.releaseLimits();
            access.removeSandbox(name);
            try {
                Files.move(state.dir, away, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.syncDirectory(sandboxesDir);
            } catch (IOException e) {
                away = state.dir;
            }
        }
        try {
            AtomicFiles.deleteTree(away);
        } catch (IOException e) {
            LOG.warn("the files of deleted sandbox {} could not all be removed: {}", name, e.toString());
        }
        LOG.info("deleted sandbox {}", name);
        return state.sandbox.withStatus(SandboxStatus.DELETING);
    }

    // ------------------------------------------------------------------ previews

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        synchronized (lifecycle) {
            state(sandbox);
            return access.insertPreview(new Preview(sandbox, spec, urls.previewUrl(sandbox, spec.name(), spec.port()),
                    clock.instant()));
        }
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        if (!sandboxes.containsKey(sandbox.value())) {
            return Optional.empty();
        }
        return access.findPreview(sandbox, name);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        state(sandbox);
        return access.listPreviews(sandbox);
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        synchronized (lifecycle) {
            state(sandbox);
            Preview existing = access.findPreview(sandbox, spec.name()).orElseThrow(() -> previewNotFound(sandbox,
                    spec.name()));
            // The URL stays what it was at creation, even when the port changes (PreviewOperations says so).
            return access.replacePreview(new Preview(sandbox, spec, existing.url(), existing.createdAt()));
        }
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(name, "name must not be null");
        state(sandbox);
        return access.removePreview(sandbox, name).orElseThrow(() -> previewNotFound(sandbox, name));
    }

    // ------------------------------------------------------------------ tokens

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        synchronized (lifecycle) {
            state(sandbox);
            return access.mintToken(sandbox, preview, name, expiresAt, clock.instant());
        }
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        state(sandbox);
        if (access.findPreview(sandbox, preview).isEmpty()) {
            throw previewNotFound(sandbox, preview);
        }
        return access.listTokens(sandbox, preview);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        state(sandbox);
        return access.removeToken(sandbox, preview, name).orElseThrow(() ->
                new SandgateException.NotFound("token " + name + " not found in preview " + preview + " of sandbox "
                        + sandbox));
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
        List<SandboxState> all;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(sandboxes.values());
        }
        List<Thread> stoppers = new ArrayList<>();
        for (SandboxState state : all) {
            Thread t = new Thread(state::stopProcesses, "sandgate-stop-" + state.sandbox.name());
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
        all.forEach(SandboxState::releaseLimits);
        limits.close();
        network.close();
    }

    // ------------------------------------------------------------------ state

    private SandboxState state(SandboxName name) {
        Objects.requireNonNull(name, "sandbox must not be null");
        SandboxState state = sandboxes.get(name.value());
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

    private static SandgateException.NotFound previewNotFound(SandboxName sandbox, PreviewName name) {
        return new SandgateException.NotFound("preview " + name + " not found in sandbox " + sandbox);
    }

    private static SandgateException.Unavailable unavailable(String message, IOException e) {
        LOG.warn("{}: {}", message, e.toString());
        return new SandgateException.Unavailable(message, e);
    }

    private final class SandboxState {
        volatile Sandbox sandbox;
        final Path dir;
        final LocalFiles files;
        private LocalProcesses processes;
        private SandboxCgroup cgroup;
        private NetworkNamespace namespace;
        private boolean gone;

        SandboxState(Sandbox sandbox, Path dir) {
            this.sandbox = sandbox;
            this.dir = dir;
            this.files = new LocalFiles(dir.resolve(ROOT), settings.maxFileBytes());
        }

        synchronized DataPlane dataPlane() {
            if (gone) {
                throw new SandgateException.NotFound("sandbox " + sandbox.name() + " not found");
            }
            if (processes == null) {
                cgroup = limits.cgroup(sandbox.name().value(), sandbox.spec().memoryMb());
                processes = new LocalProcesses(sandbox.name(), dir.resolve(ROOT), settings.processes(), isolation,
                        clock, cgroup, network());
            }
            return new LocalDataPlane(this, processes, files);
        }

        /** The sandbox's network, made when first needed (by a process or a port the broker reaches). */
        synchronized NetworkNamespace network() {
            if (gone) {
                throw new SandgateException.NotFound("sandbox " + sandbox.name() + " not found");
            }
            if (namespace == null) {
                namespace = LocalSandboxGateway.this.network.namespace(sandbox.name());
            }
            return namespace;
        }

        private void closeNetwork() {
            NetworkNamespace n;
            synchronized (this) {
                n = namespace;
                namespace = null;
            }
            if (n != null) {
                n.close();
            }
        }

        synchronized void deleted() {
            gone = true;
        }

        synchronized OptionalLong cpuUsageNanos() {
            return cgroup == null ? OptionalLong.empty() : cgroup.cpuUsageNanos();
        }

        synchronized void limitMemory(int memoryMb) {
            if (cgroup == null) {
                return; // set when the group is made
            }
            try {
                cgroup.limitMemory(memoryMb * 1024L * 1024L);
            } catch (IllegalStateException e) {
                LOG.warn("sandbox {}: {}", sandbox.name(), e.getMessage());
                throw new SandgateException.Conflict("the memory of sandbox " + sandbox.name() + " cannot be set to "
                        + memoryMb + " MB while its processes use more");
            }
        }

        /** Once the processes are closed: removes the sandbox's control group and unmounts its disk. */
        void releaseLimits() {
            SandboxCgroup c;
            synchronized (this) {
                c = cgroup;
                cgroup = null;
            }
            if (c != null) {
                c.remove();
            }
            limits.disk().detach(dir.resolve(ROOT));
        }

        void closeProcesses() {
            LocalProcesses p;
            synchronized (this) {
                p = processes;
            }
            if (p != null) {
                p.close();
            }
            closeNetwork();
        }

        void stopProcesses() {
            LocalProcesses p;
            synchronized (this) {
                p = processes;
            }
            if (p != null) {
                p.stopAll();
                p.close();
            }
            closeNetwork();
        }
    }

    // ------------------------------------------------------------------ disk

    private void writeRecord(Path dir, Sandbox sandbox) throws IOException {
        SandboxRecord record = SandboxRecord.of(sandbox.spec(), sandbox.status(), sandbox.createdAt(),
                sandbox.updatedAt());
        AtomicFiles.write(dir.resolve(RECORD), LocalJson.encode(SandboxRecord.class, record),
                settings.durableWrites());
    }

    private void load() {
        try {
            Files.createDirectories(sandboxesDir);
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sandboxesDir)) {
                for (Path dir : dirs) {
                    String name = dir.getFileName().toString();
                    if (name.startsWith(DELETED_PREFIX)) {
                        AtomicFiles.deleteTree(dir); // a delete interrupted after its rename
                        continue;
                    }
                    if (name.startsWith(".") || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    loadSandbox(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the sandboxes could not be read", e);
        }
        LOG.info("local gateway: {} sandbox(es), process isolation {}", sandboxes.size(),
                isolation.inForce().wireName());
    }

    private void loadSandbox(Path dir) {
        Path record = dir.resolve(RECORD);
        try {
            SandboxRecord r = LocalJson.decode(SandboxRecord.class, Files.readAllBytes(record),
                    "record of sandbox " + dir.getFileName());
            SandboxSpec spec = r.spec();
            if (!spec.name().value().equals(dir.getFileName().toString())) {
                throw new IOException("record of sandbox " + dir.getFileName() + " names another sandbox");
            }
            if (!Files.isDirectory(dir.resolve(ROOT), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("sandbox " + dir.getFileName() + " has no root directory");
            }
            if (!limits.disk().attach(dir, dir.resolve(ROOT)) && limits.disk().active()) {
                LOG.warn("sandbox {} was created without a disk quota: its files are not limited", spec.name());
            }
            Sandbox sandbox = new Sandbox(spec, SandboxStatus.valueOf(r.status), urls.sandboxUrl(spec.name()),
                    r.createdAt, r.updatedAt);
            sandboxes.put(spec.name().value(), new SandboxState(sandbox, dir));
        } catch (NoSuchFileException e) {
            LOG.warn("ignoring directory {} of the sandboxes: it has no {} (an interrupted create)",
                    dir.getFileName(), RECORD);
        } catch (IOException | RuntimeException e) {
            LOG.error("ignoring sandbox {}: {}", dir.getFileName(), e.getMessage());
        }
    }

    /** The template directory of an image, if there is one. */
    private Optional<Path> template(String image) {
        String mapped = templateName(image);
        if (mapped.startsWith(".")) {
            return Optional.empty();
        }
        Path dir = settings.imagesDir().resolve(mapped);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** The image's template directory name: see the class comment. */
    static String templateName(String image) {
        StringBuilder out = new StringBuilder(image.length());
        for (int i = 0; i < image.length(); i++) {
            char c = image.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_') {
                out.append(c);
            } else if (c == ':') {
                out.append('+');
            } else {
                out.append('_');
            }
        }
        return out.toString();
    }

    /** Copies a template tree, keeping modes and times; links are copied as links, never followed. */
    private static void copyTree(Path from, Path to) throws IOException {
        Path source = from.toRealPath();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(source)) {
                    return FileVisitResult.CONTINUE; // the sandbox's root exists: its own file system, or a directory
                }
                Files.copy(dir, to.resolve(source.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * A process's environment: the sandbox's {@code envs} (as they are now), with the process's own {@code env}
     * laid over them.
     */
    static ProcessSpec withSandboxEnv(ProcessSpec spec, List<EnvVar> sandboxEnv) {
        if (sandboxEnv.isEmpty()) {
            return spec;
        }
        Map<String, String> merged = new LinkedHashMap<>();
        sandboxEnv.forEach(e -> merged.put(e.name(), e.value()));
        merged.putAll(spec.env());
        try {
            return spec.withEnv(merged);
        } catch (IllegalArgumentException e) {
            throw new SandgateException.InvalidRequest("the sandbox's and the process's environment together are "
                    + "invalid: " + e.getMessage());
        }
    }

    /** One sandbox's processes and files behind the port. */
    private static final class LocalDataPlane implements DataPlane {
        private final SandboxState state;
        private final SandboxName sandbox;
        private final LocalProcesses processes;
        private final LocalFiles files;

        LocalDataPlane(SandboxState state, LocalProcesses processes, LocalFiles files) {
            this.state = state;
            this.sandbox = state.sandbox.name();
            this.processes = processes;
            this.files = files;
        }

        @Override
        public SandboxName sandbox() {
            return sandbox;
        }

        @Override
        public ProcessInfo exec(ProcessSpec spec) {
            Objects.requireNonNull(spec, "spec must not be null");
            return processes.exec(withSandboxEnv(spec, state.sandbox.envs()));
        }

        @Override
        public java.util.concurrent.CompletionStage<ProcessInfo> execAsync(ProcessSpec spec) {
            Objects.requireNonNull(spec, "spec must not be null");
            return processes.execAsync(withSandboxEnv(spec, state.sandbox.envs()));
        }

        @Override
        public List<ProcessInfo> listProcesses() {
            return processes.listProcesses();
        }

        @Override
        public ProcessInfo getProcess(String identifier) {
            return processes.getProcess(identifier);
        }

        @Override
        public ProcessInfo stopProcess(String identifier) {
            return processes.stopProcess(identifier);
        }

        @Override
        public ProcessInfo killProcess(String identifier) {
            return processes.killProcess(identifier);
        }

        @Override
        public ProcessLogs logs(String identifier) {
            return processes.logs(identifier);
        }

        @Override
        public void writeStdin(String identifier, byte[] data) {
            processes.writeStdin(identifier, data);
        }

        @Override
        public void closeStdin(String identifier) {
            processes.closeStdin(identifier);
        }

        @Override
        public LogSubscription streamLogs(String identifier, LogListener listener) {
            return processes.streamLogs(identifier, listener);
        }

        @Override
        public FileEntry stat(SandboxPath path) {
            return files.stat(path);
        }

        @Override
        public FileContent readFile(SandboxPath path) {
            return files.readFile(path);
        }

        @Override
        public DirectoryListing listDirectory(SandboxPath path) {
            return files.listDirectory(path);
        }

        @Override
        public FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
            return files.writeFile(path, content, permissions);
        }

        @Override
        public FileEntry makeDirectory(SandboxPath path, String permissions) {
            return files.makeDirectory(path, permissions);
        }

        @Override
        public void remove(SandboxPath path, boolean recursive) {
            files.remove(path, recursive);
        }

        @Override
        public dev.sandgate.ports.LogSubscription watch(SandboxPath path, java.util.List<String> ignore,
                                                        dev.sandgate.ports.FileEventListener listener) {
            return files.watch(path, ignore, listener);
        }

        @Override
        public String toString() {
            return "LocalDataPlane[" + sandbox + "]";
        }
    }
}
