package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.ports.DataPlane;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Egress is a setting. The "outside world" here is a network namespace this test makes on this machine, joined to
 * the host by a veth pair, with a listener in it: no address beyond this machine is ever contacted.
 */
class SandboxEgressTest {
    private static Isolation bwrap;
    private static String ip;

    @TempDir
    Path dataDir;
    private final List<LocalSandboxGateway> gateways = new ArrayList<>();
    private String netns;
    private String hostVeth;
    private String outsideAddress;
    private int outsidePort;
    private Process outsideListener;

    @BeforeAll
    static void probe() {
        try {
            bwrap = Isolation.resolve(IsolationMode.BWRAP);
        } catch (IllegalStateException e) {
            bwrap = null;
        }
        ip = Files.isExecutable(Path.of("/usr/sbin/ip")) ? "/usr/sbin/ip"
                : Files.isExecutable(Path.of("/usr/bin/ip")) ? "/usr/bin/ip" : null;
    }

    @BeforeEach
    void makeTheOutside() throws Exception {
        assumeTrue(bwrap != null, "bubblewrap is not installed or cannot create namespaces here");
        assumeTrue(ip != null, "iproute2 ('ip') is not installed");
        int id = ThreadLocalRandom.current().nextInt(1, 60_000);
        netns = "sgtest-egress-" + id;
        hostVeth = "sgte" + id;
        int third = ThreadLocalRandom.current().nextInt(1, 250);
        String hostAddress = "10.231." + third + ".1";
        outsideAddress = "10.231." + third + ".2";
        sh(ip, "netns", "add", netns);
        sh(ip, "link", "add", hostVeth, "type", "veth", "peer", "name", "sgto" + id, "netns", netns);
        sh(ip, "addr", "add", hostAddress + "/30", "dev", hostVeth);
        sh(ip, "link", "set", hostVeth, "up");
        sh(ip, "-n", netns, "addr", "add", outsideAddress + "/30", "dev", "sgto" + id);
        sh(ip, "-n", netns, "link", "set", "sgto" + id, "up");
        outsidePort = ThreadLocalRandom.current().nextInt(20_000, 60_000);
        outsideListener = new ProcessBuilder(ip, "netns", "exec", netns, "python3", "-m", "http.server",
                Integer.toString(outsidePort), "--bind", outsideAddress)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!reachableFromTheHost()) {
            assertThat(System.nanoTime() - deadline).as("the outside listener starts").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private boolean reachableFromTheHost() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(outsideAddress, outsidePort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (LocalSandboxGateway g : gateways) {
            g.listSandboxes().forEach(s -> g.deleteSandbox(s.name()));
            g.close();
        }
        if (outsideListener != null) {
            outsideListener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (netns != null) {
            run(ip, "netns", "del", netns);
            run(ip, "link", "del", hostVeth);
        }
    }

    private static void sh(String... command) throws Exception {
        assertThat(run(command)).as(String.join(" ", command)).isZero();
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private DataPlane sandbox(NetworkMode mode) {
        LocalSettings settings = LocalSettings.defaults(dataDir.resolve(mode.wireName())).toBuilder().durableWrites(false)
                .processes(ProcessSettings.defaults().toBuilder().stopGracePeriod(Duration.ZERO).build())
                .network(mode).build();
        FileAccessStore access = FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false);
        LocalSandboxGateway gateway = new LocalSandboxGateway(settings, access, bwrap, Clock.systemUTC());
        gateways.add(gateway);
        gateway.createSandbox(SandboxSpec.of(SandboxName.of("box")));
        return gateway.dataPlane(SandboxName.of("box"));
    }

    private String connectFrom(DataPlane sandbox) {
        ProcessInfo info = sandbox.exec(ProcessSpec.of("python3 -c \"import socket; s = socket.socket(); "
                + "s.settimeout(3); print('CONNECTED' if s.connect_ex(('" + outsideAddress + "', " + outsidePort
                + ")) == 0 else 'NOT CONNECTED')\"").withWaitForCompletion(true).withTimeout(Duration.ofSeconds(20)));
        return sandbox.logs(info.pid()).stdout().strip();
    }

    @Test
    void an_isolated_sandbox_cannot_connect_outside() {
        assertThat(connectFrom(sandbox(NetworkMode.ISOLATED))).isEqualTo("NOT CONNECTED");
    }

    @Test
    void an_egress_sandbox_connects_outside() {
        assertThat(connectFrom(sandbox(NetworkMode.EGRESS))).isEqualTo("CONNECTED");
    }
}
