package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.limits.LocalLimits;
import dev.sandgate.adapter.local.limits.SandboxCgroup;
import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.LocalProcesses;
import dev.sandgate.adapter.local.process.NetworkNamespace;
import dev.sandgate.adapter.local.process.SandboxNetwork;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import java.nio.file.Path;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local sandbox while the gateway holds it: its record, its directory and files, and what it is given when
 * first needed (its processes, its control group, its network namespace), released when it is deleted or the
 * gateway closes. Once deleted, it hands out nothing more.
 *
 * <p>Changes to its previews and tokens run under the read side of a lock of its own ({@link #whileLive}), its
 * deletion takes the write side ({@link #deleted}): changes to one sandbox run concurrently with each other and with
 * those of every other sandbox, and none runs across its deletion.
 */
final class LocalSandbox {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSandbox.class);

    private final Path dir;
    private final Path root;
    private final LocalFiles files;
    private final LocalSettings settings;
    private final Isolation isolation;
    private final Clock clock;
    private final LocalLimits limits;
    private final SandboxNetwork networks;
    private volatile Sandbox sandbox;
    // guarded by this
    private LocalProcesses processes;
    private SandboxCgroup cgroup;
    private NetworkNamespace namespace;
    private volatile boolean gone; // written under this and the write side of changes
    private final ReentrantReadWriteLock changes = new ReentrantReadWriteLock();

    LocalSandbox(Sandbox sandbox, Path dir, Path root, LocalSettings settings, Isolation isolation, Clock clock,
                 LocalLimits limits, SandboxNetwork networks) {
        this.sandbox = sandbox;
        this.dir = dir;
        this.root = root;
        this.settings = settings;
        this.isolation = isolation;
        this.clock = clock;
        this.limits = limits;
        this.networks = networks;
        this.files = new LocalFiles(root, settings.maxFileBytes());
    }

    Sandbox sandbox() {
        return sandbox;
    }

    /** The record as it is after an update (already saved). */
    void updated(Sandbox updated) {
        this.sandbox = updated;
    }

    Path dir() {
        return dir;
    }

    synchronized DataPlane dataPlane() {
        requireLive();
        if (processes == null) {
            cgroup = limits.cgroup(sandbox.name().value(), sandbox.spec().memoryMb());
            processes = new LocalProcesses(sandbox.name(), root, settings.processes(), isolation, clock, cgroup,
                    network());
        }
        return new LocalDataPlane(this, processes, files);
    }

    /** The sandbox's network, made when first needed (by a process or a port the broker reaches). */
    synchronized NetworkNamespace network() {
        requireLive();
        if (namespace == null) {
            namespace = networks.namespace(sandbox.name());
        }
        return namespace;
    }

    private void requireLive() {
        if (gone) {
            throw new SandgateException.NotFound("sandbox " + sandbox.name() + " not found");
        }
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

    /**
     * Marks the sandbox deleted, once the changes to its previews and tokens that are running have ended: none runs
     * after it, so what the caller then removes from the store stays removed.
     */
    void deleted() {
        changes.writeLock().lock();
        try {
            synchronized (this) {
                gone = true;
            }
        } finally {
            changes.writeLock().unlock();
        }
    }

    /**
     * Runs {@code change} to the sandbox's previews or tokens, {@code NotFound} once deleted; the sandbox is not
     * deleted meanwhile.
     */
    <T> T whileLive(Supplier<T> change) {
        changes.readLock().lock();
        try {
            requireLive();
            return change.get();
        } finally {
            changes.readLock().unlock();
        }
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
        limits.disk().detach(root);
    }

    /** Kills every process at once. */
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

    /** Stops every process gracefully (SIGTERM, SIGKILL after the grace period). */
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
