package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network of one sandbox, as {@link SandboxNetwork} describes it: under bubblewrap a namespace of its own
 * (started when first needed), else the host's. Thread-safe.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespace.class);
    private static final long START_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** The most relays (ports the broker reaches) kept per sandbox; the least recently used goes first. */
    static final int MAX_RELAYS = 32;
    private static final String LISTEN = "0A";

    private enum Family { V4, V6 }

    private record Relay(Process process, Path socket, Family family) {
    }

    private final SandboxNetwork network;
    private final SandboxName sandbox;
    /** Where this sandbox's relay sockets live; null for the host's network. */
    private final Path relayDir;

    // guarded by this
    private Process holder;
    private long holderPid;
    private String namespaceId;
    private Process pasta;
    private final LinkedHashMap<Integer, Relay> relays = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    NetworkNamespace(SandboxNetwork network, SandboxName sandbox, Path relayDir) {
        this.network = network;
        this.sandbox = sandbox;
        this.relayDir = relayDir;
    }

    /** Whether this sandbox has a network namespace of its own. */
    public boolean isolated() {
        return relayDir != null;
    }

    /**
     * The command line that starts {@code commandLine} inside this sandbox's network: prefixed with
     * {@code nsenter --net=…} when it has its own (which is started first if needed), unchanged otherwise.
     */
    public List<String> wrap(List<String> commandLine) {
        if (!isolated()) {
            return commandLine;
        }
        String ns = namespacePath();
        List<String> line = new ArrayList<>(commandLine.size() + 3);
        line.add(network.tools().nsenter());
        line.add("--net=" + ns);
        line.add("--");
        line.addAll(commandLine);
        return List.copyOf(line);
    }

    /** Whether something in this sandbox's network listens on {@code port} (TCP, IPv4 or IPv6). */
    public boolean accepts(Port port) {
        Objects.requireNonNull(port, "port must not be null");
        if (!isolated()) {
            return SandboxNetwork.acceptsOnHostLoopback(port);
        }
        long pid;
        synchronized (this) {
            if (holder == null || !holder.isAlive()) {
                return false; // no namespace yet, so nothing of the sandbox runs in it
            }
            pid = holderPid;
        }
        return !listeners(pid, port).isEmpty();
    }

    /**
     * The Unix socket that leads to {@code port} inside this sandbox's namespace (a relay started on first use);
     * empty for the host's network, where the port is reached over the host's loopback. Blocks while a relay
     * starts.
     */
    public Optional<Path> relay(Port port) {
        Objects.requireNonNull(port, "port must not be null");
        if (!isolated()) {
            return Optional.empty();
        }
        synchronized (this) {
            String ns = namespacePath();
            Set<Family> listening = listeners(holderPid, port);
            Family family = listening.isEmpty() || listening.contains(Family.V4) ? Family.V4 : Family.V6;
            Relay relay = relays.get(port.value());
            if (relay != null && relay.process().isAlive() && relay.family() == family) {
                return Optional.of(relay.socket());
            }
            if (relay != null) {
                stop(relay);
                relays.remove(port.value());
            }
            trimRelays();
            relay = startRelay(ns, port, family);
            relays.put(port.value(), relay);
            return Optional.of(relay.socket());
        }
    }

    /** Starts the namespace now (it otherwise starts with the first process or relay). */
    public void start() {
        if (isolated()) {
            namespacePath();
        }
    }

    // ------------------------------------------------------------------------------------------------ holder

    /** The path naming the live namespace, starting (or restarting) its holder as needed. */
    private synchronized String namespacePath() {
        if (closed) {
            throw new SandgateException.Unavailable("the network of sandbox '" + sandbox + "' is shut down");
        }
        if (holder != null && holder.isAlive() && namespaceId.equals(readNamespace(holderPid).orElse(""))) {
            return "/proc/" + holderPid + "/ns/net";
        }
        if (holder != null) {
            LOG.warn("sandbox {}: the holder of its network namespace is gone; starting a new namespace", sandbox);
            stopAll();
        }
        startHolder();
        return "/proc/" + holderPid + "/ns/net";
    }

    private void startHolder() {
        SandboxNetwork.Tools tools = network.tools();
        Process started = network.spawn(List.of(tools.bwrap(), "--die-with-parent", "--unshare-user", "--unshare-net",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL", "--ro-bind", "/", "/",
                "--proc", "/proc", "--dev", "/dev", "--chdir", "/", "--", tools.sleep(), "infinity"));
        String own = readNamespace(ProcessHandle.current().pid()).orElse("?");
        long deadline = System.nanoTime() + START_WAIT_NANOS;
        while (true) {
            Optional<ProcessHandle> child = started.toHandle().children().findFirst();
            if (child.isPresent()) {
                Optional<String> ns = readNamespace(child.get().pid());
                if (ns.isPresent() && !ns.get().equals(own)) {
                    holder = started;
                    holderPid = child.get().pid();
                    namespaceId = ns.get();
                    break;
                }
            }
            if (!started.isAlive() || System.nanoTime() - deadline >= 0) {
                started.destroyForcibly();
                throw new SandgateException.Unavailable("the network namespace of sandbox '" + sandbox
                        + "' could not be made (bwrap --unshare-net " + (started.isAlive() ? "did not start in time"
                        : "exited with code " + started.exitValue()) + ")");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        if (network.mode() == NetworkMode.EGRESS) {
            startPasta();
        }
        LOG.debug("sandbox {}: network namespace {} held by pid {}", sandbox, namespaceId, holderPid);
    }

    /** Attaches pasta for outbound traffic and waits for its default route in the namespace. */
    private void startPasta() {
        String pastaPath = network.tools().pasta().orElseThrow();
        // pasta holds the namespace open by itself: it must die with the broker (as the holder does)
        List<String> line = new ArrayList<>(List.of(network.tools().setpriv(), "--pdeathsig", "KILL", "--", pastaPath,
                "--foreground", "--quiet"));
        if ("root".equals(ProcessHandle.current().info().user().orElse(""))) {
            // as root pasta would switch to nobody, which may not enter a namespace owned by root
            line.addAll(List.of("--runas", "0"));
        }
        line.addAll(List.of("--no-map-gw", "-t", "none", "-u", "none", "-T", "none", "-U", "none", "--config-net",
                Long.toString(holderPid)));
        pasta = network.spawn(line);
        long deadline = System.nanoTime() + START_WAIT_NANOS;
        while (!hasDefaultRoute(holderPid)) {
            if (!pasta.isAlive() || System.nanoTime() - deadline >= 0) {
                String why = pasta.isAlive() ? "gave the namespace no route in time" : "exited with code "
                        + pasta.exitValue();
                stopAll();
                throw new SandgateException.Unavailable("egress for sandbox '" + sandbox + "' could not be set up "
                        + "(pasta " + why + ")");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private static Optional<String> readNamespace(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static boolean hasDefaultRoute(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "route"));
            for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = l.trim().split("\\s+");
                if (f.length > 2 && f[1].equals("00000000")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The address families with a TCP socket listening on {@code port} in the namespace of {@code pid}. */
    private static Set<Family> listeners(long pid, Port port) {
        Set<Family> found = EnumSet.noneOf(Family.class);
        String hexPort = String.format(":%04X", port.value());
        for (Family family : Family.values()) {
            Path table = Path.of("/proc", Long.toString(pid), "net", family == Family.V4 ? "tcp" : "tcp6");
            try {
                for (String line : Files.readAllLines(table)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[3].equals(LISTEN) && f[1].endsWith(hexPort)) {
                        found.add(family);
                        break;
                    }
                }
            } catch (IOException e) {
                // the holder is gone, or there is no IPv6: nothing listens there
            }
        }
        return found;
    }

    // ------------------------------------------------------------------------------------------------ relays

    private Relay startRelay(String ns, Port port, Family family) {
        SandboxNetwork.Tools tools = network.tools();
        Path socket = relayDir.resolve(Integer.toString(port.value()));
        try {
            if (!Files.isDirectory(relayDir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(relayDir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new SandgateException.Unavailable("the relay to port " + port + " of sandbox '" + sandbox
                    + "' could not be prepared: " + e.getMessage(), e);
        }
        String target = family == Family.V4 ? "TCP4:127.0.0.1:" + port.value() : "TCP6:[::1]:" + port.value();
        Process relay = network.spawn(List.of(tools.setpriv(), "--pdeathsig", "KILL", "--", tools.nsenter(),
                "--net=" + ns, "--", tools.socat(), "UNIX-LISTEN:" + socket + ",fork,mode=600,backlog=128",
                target));
        long deadline = System.nanoTime() + START_WAIT_NANOS;
        while (!listening(holderPid, socket)) {
            if (!relay.isAlive() || System.nanoTime() - deadline >= 0) {
                relay.destroyForcibly();
                throw new SandgateException.Unavailable("the relay to port " + port + " of sandbox '" + sandbox
                        + "' did not start");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return new Relay(relay, socket, family);
    }

    /**
     * Whether the relay listens on {@code socket} yet: its line in the namespace's {@code /proc/<pid>/net/unix}
     * carries the accepting flag ({@code __SO_ACCEPTCON}), set by {@code listen()}. The file alone exists from
     * {@code bind()} on, when a connection would still be refused.
     */
    private static boolean listening(long pid, Path socket) {
        String suffix = " " + socket;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "unix"))) {
                if (line.endsWith(suffix)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (Long.parseLong(f[3], 16) & 0x10000L) != 0) {
                        return true;
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    private void trimRelays() {
        Iterator<Relay> eldest = relays.values().iterator();
        while (relays.size() >= MAX_RELAYS && eldest.hasNext()) {
            stop(eldest.next());
            eldest.remove();
        }
    }

    private static void stop(Relay relay) {
        kill(relay.process());
        try {
            Files.deleteIfExists(relay.socket());
        } catch (NoSuchFileException ignored) {
            // gone already
        } catch (IOException e) {
            LOG.debug("could not remove relay socket {}: {}", relay.socket(), e.toString());
        }
    }

    private static void kill(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = Signals.descendants(process.toHandle());
        process.destroyForcibly();
        Signals.kill(tree);
    }

    private void stopAll() {
        for (Relay relay : relays.values()) {
            stop(relay);
        }
        relays.clear();
        kill(pasta);
        pasta = null;
        kill(holder);
        holder = null;
        holderPid = 0;
        namespaceId = null;
    }

    /** Stops the relays, pasta and the holder; the namespace ends with the last process in it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (isolated()) {
            stopAll();
            SandboxNetwork.deleteTree(relayDir);
        }
    }

    /** The pid whose {@code /proc/<pid>/ns/net} is this sandbox's namespace, once started (for tests). */
    synchronized Optional<Long> holderPid() {
        return holder == null ? Optional.empty() : Optional.of(holderPid);
    }

    /** The relays running, by port (for tests). */
    synchronized Map<Integer, Path> relays() {
        Map<Integer, Path> out = new LinkedHashMap<>();
        relays.forEach((p, r) -> out.put(p, r.socket()));
        return Map.copyOf(out);
    }

    @Override
    public String toString() {
        return "NetworkNamespace[" + sandbox + ", " + (isolated() ? network.mode().wireName() : "shared") + "]";
    }
}
