package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A browser that abandons a preview load (an iframe reloaded twice in a row) is normal, not an error. */
class CancelledLoadTest {
    private BrokerFixture broker;
    private HttpServer app;
    private final AtomicInteger cancelled = new AtomicInteger();
    /** Where the tests' log goes (simplelogger.properties), and how long it was before this test. */
    private static final java.nio.file.Path LOG = java.nio.file.Path.of("target/broker-test.log");
    private long logStart;

    @BeforeEach
    void start() throws Exception {
        broker = new BrokerFixture();
        // an application that answers slowly, in many chunks, as a dev server compiling a page does
        app = broker.vertx.createHttpServer().requestHandler(req -> {
            var response = req.response().setChunked(true);
            response.closeHandler(v -> cancelled.incrementAndGet());
            long timer = broker.vertx.setPeriodic(5, t -> {
                if (!response.closed()) {
                    response.write(Buffer.buffer(new byte[8192]));
                }
            });
            response.closeHandler(v -> {
                broker.vertx.cancelTimer(timer);
                cancelled.incrementAndGet();
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        SandboxName sandbox = broker.sandbox("web");
        broker.gateway.createPreview(sandbox, PreviewSpec.publicPort(PreviewName.of("app"), Port.of(app.actualPort())));
        logStart = java.nio.file.Files.exists(LOG) ? java.nio.file.Files.size(LOG) : 0;
    }

    @AfterEach
    void stop() {
        app.close();
        broker.close();
    }

    @Test
    void an_abandoned_preview_load_logs_no_error_and_the_application_s_request_is_cancelled() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET /p/web/app/page HTTP/1.1\r\nHost: 127.0.0.1:" + broker.broker.actualPort()
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = socket.getInputStream();
                assertThat(in.readNBytes(64).length).isEqualTo(64);
            } // the browser goes away mid-answer
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cancelled.get() < 3 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        // the last reset, if any, is logged right after the application's side closes
        LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        byte[] log = java.nio.file.Files.exists(LOG) ? java.nio.file.Files.readAllBytes(LOG) : new byte[0];
        String logged = new String(log, (int) Math.min(logStart, log.length), (int) Math.max(0, log.length - logStart),
                StandardCharsets.UTF_8);

        assertThat(cancelled.get()).as("the application's requests were cancelled too").isGreaterThanOrEqualTo(3);
        assertThat(logged).doesNotContain("ERROR").doesNotContain("StreamReset").doesNotContain("Stream reset");
    }
}
