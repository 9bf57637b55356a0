package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.ForwardingDataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.SandboxGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backpressure from the client's socket: a reader that reads nothing for 10 s while its process writes 10 MB/s
 * costs the broker at most {@link StreamSettings#maxBufferedBytes()}, and is told what it missed when it reads again.
 * The log source here is a stand-in that emits at that rate (the broker's side is what is under test).
 */
class SlowReaderTest {
    private static final long LIMIT = 256 * 1024;
    private static final int LINE = 100;
    private static final long BYTES_PER_SECOND = 10_000_000;

    private BrokerFixture broker;
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicLong produced = new AtomicLong();

    @BeforeEach
    void start() {
        broker = new BrokerFixture(s -> s.toBuilder().keepaliveInterval(Duration.ofSeconds(1))
                .idleTimeout(Duration.ofSeconds(30))
                .streams(StreamSettings.defaults().toBuilder().maxBufferedBytes(LIMIT).build()).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS), this::fastLogs);
    }

    @AfterEach
    void stop() {
        producing.set(false);
        broker.close();
    }

    /** The gateway, with a log stream that writes {@link #BYTES_PER_SECOND} until the test ends. */
    private SandboxGateway fastLogs(SandboxGateway real) {
        return (SandboxGateway) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SandboxGateway.class},
                (proxy, method, args) -> {
                    try {
                        if (method.getName().equals("dataPlane")) {
                            DataPlane dp = (DataPlane) method.invoke(real, args);
                            return new ForwardingDataPlane() {
                                @Override
                                protected DataPlane delegate() {
                                    return dp;
                                }

                                @Override
                                public LogSubscription streamLogs(String identifier, LogListener listener) {
                                    return emit(listener);
                                }
                            };
                        }
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private LogSubscription emit(LogListener listener) {
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            String text = "x".repeat(LINE - 8);
            long started = System.nanoTime();
            while (producing.get() && !cancelled.get()) {
                long due = (System.nanoTime() - started) * BYTES_PER_SECOND / 1_000_000_000L;
                while (produced.get() < due) {
                    listener.onLine(LogLine.stdout(text));
                    produced.addAndGet(LINE);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }, "fast-logs");
        producer.setDaemon(true);
        producer.start();
        return () -> cancelled.set(true);
    }

    @Test
    void a_reader_that_does_not_read_for_10_s_holds_at_most_the_setting_and_is_told_what_it_missed() throws Exception {
        SandboxName sandbox = broker.sandbox("fast");
        // a real process of the sandbox: the broker looks it up before it streams
        String id = broker.gateway.dataPlane(sandbox).exec(dev.sandgate.domain.ProcessSpec.of("sleep 600")).pid();
        String path = "/" + BrokerFixture.WS + "/sandboxes/fast/process/" + id + "/logs/stream";
        try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setReceiveBufferSize(64 * 1024);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + broker.broker.actualPort()
                    + "\r\nX-Blaxel-Authorization: Bearer " + BrokerFixture.KEY + "\r\nX-Blaxel-Workspace: "
                    + BrokerFixture.WS + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            assertThat(produced.get()).as("the process wrote ~100 MB meanwhile").isGreaterThan(80_000_000L);
            assertThat(broker.broker.streamHighWaterBytes()).as("bytes the broker held for the reader")
                    .isPositive().isLessThanOrEqualTo(LIMIT);

            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            boolean told = false;
            for (int i = 0; i < 200_000 && !told; i++) {
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                told = line.startsWith("[dropped ") && line.contains("lines: the reader fell behind]");
            }
            assertThat(told).as("a [dropped N lines] line").isTrue();
        }
    }
}
