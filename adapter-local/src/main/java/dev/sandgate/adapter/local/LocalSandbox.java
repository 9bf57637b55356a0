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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local sandbox while the gateway holds it: its record, its directory and files, and what it is given when
 * first needed (its processes, its control group, its network namespace), released when it is deleted or the
 * gateway closes. Once deleted, it hands out nothing more.
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
    private boolean gone;

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
