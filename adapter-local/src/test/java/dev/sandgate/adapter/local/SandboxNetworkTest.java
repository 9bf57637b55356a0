package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.PortAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each isolated sandbox has a network of its own: real bubblewrap, real network namespaces, real listeners on the
 * host's loopback. Every connection a test makes stays on this machine (loopback, or a sandbox's own namespace).
 */
class SandboxNetworkTest {
    private static Isolation bwrap;

    @TempDir
    Path dataDir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void probe() {
        try {
            bwrap = Isolation.resolve(IsolationMode.BWRAP);
        } catch (IllegalStateException e) {
            bwrap = null;
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private LocalSandboxGateway gateway(NetworkMode mode) {
        assumeTrue(bwrap != null, "bubblewrap is not installed or cannot create namespaces here");
        LocalSettings settings = LocalSettings.defaults(dataDir.resolve(mode.wireName())).toBuilder().durableWrites(false)
                .processes(ProcessSettings.defaults().toBuilder().stopGracePeriod(Duration.ZERO)
                        .defaultWaitTimeout(Duration.ofSeconds(20)).build())
                .network(mode).build();
        FileAccessStore access = FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false);
        LocalSandboxGateway gateway = new LocalSandboxGateway(settings, access, bwrap, Clock.systemUTC());
        opened.add(() -> shutDown(gateway));
        return gateway;
    }

    private static DataPlane sandbox(LocalSandboxGateway gateway, String name) {
        gateway.createSandbox(SandboxSpec.of(SandboxName.of(name)));
        return gateway.dataPlane(SandboxName.of(name));
    }

    /** A python http.server in the sandbox's /srv on {@code port}, serving {@code body} at /id.txt. */
    private static ProcessInfo serve(DataPlane sandbox, int port, String body) {
        return sandbox.exec(ProcessSpec.of("mkdir -p /srv && echo " + body + " > /srv/id.txt && cd /srv && exec python3 "
                + "-m http.server " + port + " --bind 127.0.0.1").withWaitForPorts(port)
                .withTimeout(Duration.ofSeconds(20)));
    }

    /** What a process of the sandbox sees when it connects to 127.0.0.1:port: CONNECTED or REFUSED. */
    private static String connectFrom(DataPlane sandbox, int port) {
        return connectFrom(sandbox, "127.0.0.1", port);
    }

    private static String connectFrom(DataPlane sandbox, String host, int port) {
        String family = host.contains(":") ? "socket.AF_INET6" : "socket.AF_INET";
        ProcessInfo info = sandbox.exec(ProcessSpec.of("python3 -c \"import socket; s = socket.socket(" + family + "); "
                + "s.settimeout(3); print('CONNECTED' if s.connect_ex(('" + host + "', " + port + ")) == 0 "
                + "else 'REFUSED')\"").withWaitForCompletion(true).withTimeout(Duration.ofSeconds(20)));
        return sandbox.logs(info.pid()).stdout().strip();
    }

    private static String run(DataPlane sandbox, String command) {
        ProcessInfo info = sandbox.exec(ProcessSpec.of(command).withWaitForCompletion(true)
                .withTimeout(Duration.ofSeconds(20)));
        return sandbox.logs(info.pid()).stdout();
    }

    private static ServerSocket hostLoopbackListener() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = hostLoopbackListener()) {
            return s.getLocalPort();
        }
    }

    /** GET {@code path} through the address the gateway gives the broker for the port. */
    private static String getThroughBroker(LocalSandboxGateway gateway, String sandbox, int port, String path)
            throws IOException {
        PortAddress address = gateway.portAddress(SandboxName.of(sandbox), Port.of(port)).orElseThrow();
        Path socket = ((PortAddress.UnixSocket) address).path();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            try (InputStream in = Channels.newInputStream(channel)) {
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return answer.substring(answer.indexOf("\r\n\r\n") + 4);
            }
        }
    }

    @Test
    void the_processes_of_one_sandbox_share_its_network() throws IOException {
        DataPlane box = sandbox(gateway(NetworkMode.ISOLATED), "solo");
        int port = freePort();
        serve(box, port, "solo");

        assertThat(connectFrom(box, port)).isEqualTo("CONNECTED");
        assertThat(run(box, "python3 -c \"import urllib.request; print(urllib.request.urlopen("
                + "'http://127.0.0.1:" + port + "/id.txt').read().decode().strip())\"")).isEqualTo("solo\n");
    }

    @Test
    void a_process_of_one_sandbox_cannot_connect_to_another_sandboxs_listener() throws IOException {
        LocalSandboxGateway gateway = gateway(NetworkMode.ISOLATED);
        DataPlane victim = sandbox(gateway, "victim");
        DataPlane attacker = sandbox(gateway, "attacker");
        int port = freePort();
        serve(victim, port, "private-dev-server");

        assertThat(connectFrom(attacker, port)).isEqualTo("REFUSED");
        assertThat(connectFrom(victim, port)).isEqualTo("CONNECTED");
    }

    @Test
    void a_process_cannot_connect_to_a_listener_on_the_hosts_loopback() throws IOException {
        DataPlane attacker = sandbox(gateway(NetworkMode.ISOLATED), "attacker");
        try (ServerSocket broker = hostLoopbackListener()) {
            assertThat(connectFrom(attacker, broker.getLocalPort())).isEqualTo("REFUSED");
            assertThat(connectFrom(attacker, "::1", broker.getLocalPort())).isEqualTo("REFUSED");
        }
    }

    @Test
    void a_sandbox_listener_is_not_on_the_hosts_loopback_so_no_browser_reaches_it_with_the_hosts_cookies()
            throws IOException {
        DataPlane box = sandbox(gateway(NetworkMode.ISOLATED), "box");
        int port = freePort();
        serve(box, port, "box");

        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void a_sandbox_cannot_preempt_another_sandboxs_preview_port() throws IOException {
        LocalSandboxGateway gateway = gateway(NetworkMode.ISOLATED);
        DataPlane attacker = sandbox(gateway, "attacker");
        DataPlane victim = sandbox(gateway, "victim");
        int port = freePort();
        serve(attacker, port, "served-by-the-attacker");
        // the victim binds the same port in its own namespace, and its preview reaches its own server
        serve(victim, port, "served-by-the-victim");

        assertThat(getThroughBroker(gateway, "victim", port, "/id.txt")).isEqualTo("served-by-the-victim\n");
        assertThat(getThroughBroker(gateway, "attacker", port, "/id.txt")).isEqualTo("served-by-the-attacker\n");
    }

    @Test
    void a_host_listener_does_not_satisfy_a_sandboxs_wait_for_ports() throws IOException {
        DataPlane box = sandbox(gateway(NetworkMode.ISOLATED), "box");
        try (ServerSocket host = hostLoopbackListener()) {
            assertThatThrownBy(() -> box.exec(ProcessSpec.of("sleep 5").withWaitForPorts(host.getLocalPort())
                    .withTimeout(Duration.ofMillis(700))))
                    .isInstanceOf(SandgateException.InvalidRequest.class)
                    .hasMessageContaining("timed out waiting for ports");
        }
    }

    @Test
    void the_relay_socket_is_open_to_the_brokers_user_only() throws IOException {
        LocalSandboxGateway gateway = gateway(NetworkMode.ISOLATED);
        DataPlane box = sandbox(gateway, "box");
        int port = freePort();
        serve(box, port, "box");

        Path socket = ((PortAddress.UnixSocket) gateway.portAddress(SandboxName.of("box"), Port.of(port))
                .orElseThrow()).path();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                .isEqualTo("rwx------");
        assertThat(socket.startsWith(dataDir)).isFalse();
        assertThat(getThroughBroker(gateway, "box", port, "/id.txt")).isEqualTo("box\n");
    }

    @Test
    void an_isolated_sandbox_has_only_its_loopback_and_no_route_out() {
        DataPlane box = sandbox(gateway(NetworkMode.ISOLATED), "box");

        assertThat(run(box, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")).isEqualTo("lo\n");
        assertThat(run(box, "tail -n +2 /proc/net/route | wc -l").strip()).isEqualTo("0");
    }

    @Test
    void an_egress_sandbox_has_a_route_out_but_never_reaches_the_hosts_loopback() throws IOException {
        DataPlane box = sandbox(gateway(NetworkMode.EGRESS), "box");

        assertThat(run(box, "tail -n +2 /proc/net/route | awk '$2 == \"00000000\"' | wc -l").strip()).isEqualTo("1");
        try (ServerSocket host = hostLoopbackListener()) {
            assertThat(connectFrom(box, host.getLocalPort())).isEqualTo("REFUSED");
        }
    }

    @Test
    void a_deleted_sandbox_leaves_no_relay_behind() throws IOException {
        LocalSandboxGateway gateway = gateway(NetworkMode.ISOLATED);
        DataPlane box = sandbox(gateway, "box");
        int port = freePort();
        serve(box, port, "box");
        Path socket = ((PortAddress.UnixSocket) gateway.portAddress(SandboxName.of("box"), Port.of(port))
                .orElseThrow()).path();

        assertThat(processesNaming(socket.toString())).isNotEmpty();

        gateway.deleteSandbox(SandboxName.of("box"));

        assertThat(socket).doesNotExist();
        dev.sandgate.ports.contract.Eventually.await("the relay to stop", Duration.ofSeconds(5),
                () -> processesNaming(socket.toString()).isEmpty());
        assertThatThrownBy(() -> gateway.portAddress(SandboxName.of("box"), Port.of(port)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void without_isolation_the_port_is_reached_over_the_hosts_loopback() {
        LocalSettings settings = LocalSettings.defaults(dataDir.resolve("none")).toBuilder().durableWrites(false).build();
        FileAccessStore access = FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false);
        LocalSandboxGateway gateway = new LocalSandboxGateway(settings, access, Isolation.resolve(IsolationMode.NONE),
                Clock.systemUTC());
        opened.add(() -> shutDown(gateway));
        gateway.createSandbox(SandboxSpec.of(SandboxName.of("shared")));

        assertThat(gateway.network().isolated()).isFalse();
        assertThat(gateway.portAddress(SandboxName.of("shared"), Port.of(3000))).isEmpty();
    }

    private static List<ProcessHandle> processesNaming(String text) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> String.join(" ", args).contains(text)).orElse(false))
                .toList();
    }

    private static void shutDown(LocalSandboxGateway gateway) {
        gateway.listSandboxes().forEach(s -> gateway.deleteSandbox(s.name()));
        gateway.close();
    }
}
