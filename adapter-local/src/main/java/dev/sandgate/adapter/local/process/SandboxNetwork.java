package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network of the sandboxes: each isolated sandbox gets a network namespace of its own, so that its loopback is
 * its own and it reaches neither the host's loopback (the broker, other services) nor another sandbox.
 *
 * <h2>Under bubblewrap</h2>
 * <ul>
 * <li><b>One namespace per sandbox, shared by all its processes.</b> A long-lived holder
 * ({@code bwrap --unshare-user --unshare-net … sleep infinity}, which also brings the namespace's loopback up,
 * with {@code --die-with-parent} so it dies with the broker) owns it; every process of the sandbox is started as
 * {@code nsenter --net=/proc/<holder>/ns/net <the usual command line>}, so a dev server and a later
 * {@code curl localhost:3000} see each other. The namespace belongs to the holder's own user namespace, in which the
 * sandbox's processes (bubblewrap makes them another user namespace, and drops every capability) hold no
 * capability: they cannot reconfigure it.</li>
 * <li><b>The broker reaches a port only through a relay it controls.</b> When the broker asks for port P
 * ({@link NetworkNamespace#relay(Port)}), a {@code socat} (Debian's {@code socat}, the standard relay) is started
 * in the sandbox's namespace, listening on a Unix socket in a directory only the broker's user can enter, and connecting
 * each accepted connection to {@code 127.0.0.1:P} (or {@code [::1]:P}) inside. Ports need not be known up front,
 * and no TCP port of the host's loopback ever leads into a sandbox (a browser could otherwise reach one directly,
 * with the cookies of every preview on that host).</li>
 * <li><b>{@code waitForPorts}</b> reads the namespace's own socket table ({@code /proc/<holder>/net/tcp} and
 * {@code tcp6}) for a listening socket: no process is started and nothing is connected.</li>
 * <li><b>Egress</b> ({@link NetworkMode#EGRESS}) attaches Debian's {@code pasta} (package {@code passt}, the user-mode
 * networking Podman uses) to the namespace: outbound TCP and ICMP through the host's sockets, with
 * {@code --no-map-gw} (the gateway address is not mapped to the host's loopback) and no port forwarded either way
 * ({@code -t none -u none -T none -U none}), so the host's loopback stays out of reach. {@link NetworkMode#ISOLATED}
 * (the default) runs no pasta: the namespace has its loopback and no route anywhere.</li>
 * </ul>
 * A holder's pid names its namespace; before each use the holder is checked to be alive and its namespace to be the
 * one recorded, so a process is never started in another namespace after the holder died.
 *
 * <h2>Without isolation</h2>
 * The network is the host's: ports are reached over the host's loopback, as every host process reaches them, and
 * {@code waitForPorts} connects to {@code 127.0.0.1}. The runtime says so at start-up.
 */
public final class SandboxNetwork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxNetwork.class);
    private static final int PORT_CONNECT_TIMEOUT_MILLIS = 200;

    private final NetworkMode mode;
    private final boolean isolated;
    private final Tools tools;
    private final Path relayDir;
    private final ExecutorService spawner;
    private final AtomicInteger sandboxes = new AtomicInteger();

    /** The host programs the namespaces need; absolute paths, found at start-up. */
    record Tools(String bwrap, String nsenter, String setpriv, String socat, String sleep, Optional<String> pasta) {
    }

    private SandboxNetwork(NetworkMode mode, boolean isolated, Tools tools, Path relayDir) {
        this.mode = mode;
        this.isolated = isolated;
        this.tools = tools;
        this.relayDir = relayDir;
        this.spawner = isolated ? Executors.newSingleThreadExecutor(r -> {
            // bubblewrap's --die-with-parent and setpriv's --pdeathsig watch the thread that started them
            Thread t = new Thread(r, "sandgate-network-spawn");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** The host's network, shared by every sandbox: what isolation {@code none} gets. */
    public static SandboxNetwork shared() {
        return new SandboxNetwork(NetworkMode.ISOLATED, false, null, null);
    }

    /**
     * The network for processes run under {@code isolation}: namespaces of their own under bubblewrap (probed
     * here: {@link IllegalStateException} with the reason when they cannot be made), the host's under {@code none}
     * (with a WARN).
     */
    public static SandboxNetwork resolve(Isolation isolation, NetworkMode mode) {
        Objects.requireNonNull(isolation, "isolation must not be null");
        Objects.requireNonNull(mode, "mode must not be null");
        if (isolation.inForce() != IsolationMode.BWRAP) {
            LOG.warn("SANDBOX NETWORK IS SHARED: without isolation, sandbox processes use the host's network (they "
                    + "reach the host's loopback, the broker and each other's ports); the sandbox network setting "
                    + "'{}' has no effect", mode.wireName());
            return shared();
        }
        Tools tools = new Tools(require("bwrap", "bubblewrap"), require("nsenter", "util-linux"),
                require("setpriv", "util-linux"), require("socat", "socat"), require("sleep", "coreutils"),
                mode == NetworkMode.EGRESS ? Optional.of(require("pasta", "passt")) : Optional.empty());
        Path relayDir;
        try {
            // short (a Unix socket path has at most 107 bytes) and private: mode 0700, the broker's user only
            relayDir = Files.createTempDirectory("sgnet");
        } catch (IOException e) {
            throw new IllegalStateException("the sandbox network needs a private directory for its relays: " + e, e);
        }
        SandboxNetwork network = new SandboxNetwork(mode, true, tools, relayDir);
        try (NetworkNamespace probe = network.namespace(SandboxName.of("network-probe"))) {
            probe.start();
            network.joinable(probe);
        } catch (RuntimeException e) {
            network.close();
            throw new IllegalStateException("sandbox network '" + mode.wireName() + "' cannot be set up here: "
                    + e.getMessage(), e);
        }
        LOG.info("sandbox network: a network namespace per sandbox ({}{})", mode.wireName(),
                mode == NetworkMode.EGRESS ? ", outbound through pasta, never to the host's loopback"
                        : ": loopback only, no route out");
        return network;
    }

    private static String require(String program, String debianPackage) {
        return Isolation.findExecutable(program).orElseThrow(() -> new IllegalStateException(program
                + " was not found on " + Isolation.PATH + " (install the '" + debianPackage + "' package); it is "
                + "needed to give each isolated sandbox a network of its own"));
    }

    /** Whether each sandbox has a network namespace of its own. */
    public boolean isolated() {
        return isolated;
    }

    /** The setting in force; meaningful only when {@link #isolated()}. */
    public NetworkMode mode() {
        return mode;
    }

    /** The network of one sandbox; nothing is started until it is first used. */
    public NetworkNamespace namespace(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        if (!isolated) {
            return new NetworkNamespace(this, sandbox, null);
        }
        return new NetworkNamespace(this, sandbox, relayDir.resolve(Integer.toString(sandboxes.incrementAndGet())));
    }

    Tools tools() {
        return tools;
    }

    /** Starts a host process on the network's own long-lived thread, with a minimal environment. */
    Process spawn(List<String> commandLine) {
        Future<Process> started;
        try {
            started = spawner.submit(() -> {
                ProcessBuilder pb = new ProcessBuilder(commandLine);
                pb.directory(new File("/"));
                pb.environment().clear();
                pb.environment().putAll(Map.of("PATH", Isolation.PATH, "LANG", "C.UTF-8"));
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.redirectError(ProcessBuilder.Redirect.DISCARD);
                return pb.start();
            });
        } catch (RejectedExecutionException e) {
            throw new SandgateException.Unavailable("the sandbox network is shut down");
        }
        try {
            return started.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new SandgateException.Unavailable("could not start " + commandLine.get(0) + ": "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandgateException.Unavailable("interrupted while starting " + commandLine.get(0), e);
        }
    }

    /** Fails unless a process can be started in {@code namespace} (joining it needs privileges over it). */
    private void joinable(NetworkNamespace namespace) {
        Process p = spawn(namespace.wrap(List.of(tools.sleep(), "0")));
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("joining a sandbox's network namespace did not finish in time");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("nsenter could not join a sandbox's network namespace (exit code "
                        + p.exitValue() + "; it needs CAP_SYS_ADMIN, as root has)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing the sandbox network", e);
        }
    }

    /** Whether something accepts connections on the host's loopback at {@code port} (the shared network). */
    static boolean acceptsOnHostLoopback(Port port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port.value()),
                    PORT_CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops starting processes and removes the relay directory (each namespace is closed by its owner). */
    @Override
    public void close() {
        if (spawner != null) {
            spawner.shutdownNow();
        }
        if (relayDir != null) {
            deleteTree(relayDir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("could not remove {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "SandboxNetwork[" + (isolated ? mode.wireName() : "shared") + "]";
    }
}
