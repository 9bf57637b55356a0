package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Transport limits: header size, request-line length, and the header deadline that idle timeouts do not give. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsTest {
    private BrokerFixture broker;

    @BeforeAll
    void start() {
        broker = new BrokerFixture(s -> s, Duration.ofMillis(600));
    }

    @AfterAll
    void stop() {
        broker.close();
    }

    @Test
    void headers_over_8_kib_get_431() {
        String answer = broker.raw("GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(9 * 1024) + "\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 431");
        assertThat(answer).contains("\"code\":431");
    }

    @Test
    void a_request_line_over_4_kib_gets_414() {
        String answer = broker.raw("GET /v0/" + "a".repeat(5 * 1024) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        assertThat(answer).matches("(?s)HTTP/1\\.[01] 414 .*").contains("\"code\":414");
    }

    @Test
    void a_token_header_of_10_kib_is_431_not_500() {
        String answer = broker.raw("GET /s/a/session-1/process HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Blaxel-Preview-Token: "
                + "t".repeat(10 * 1024) + "\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 431");
    }

    @Test
    void a_connection_that_drips_its_headers_is_closed_at_the_header_deadline() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            int read = 0;
            // Drip a header byte every 100 ms; the idle timeout never fires, the deadline must.
            while (read >= 0 && System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
                try {
                    out.write('X');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                socket.setSoTimeout(100);
                try {
                    read = in.read();
                } catch (java.net.SocketTimeoutException stillOpen) {
                    read = 0;
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void the_deadline_is_armed_again_after_an_answer_on_a_kept_alive_connection() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Blaxel-Authorization: Bearer " + BrokerFixture.KEY
                    + "\r\nX-Blaxel-Workspace: " + BrokerFixture.WS + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readAnswer(in)).startsWith("HTTP/1.1 200");
            long start = System.nanoTime();
            out.write("GET /v0/sandboxes HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            int read = 0;
            while (read >= 0 && System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
                try {
                    out.write('X');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                socket.setSoTimeout(100);
                try {
                    read = in.read();
                } catch (java.net.SocketTimeoutException stillOpen) {
                    read = 0;
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void a_keep_alive_connection_serves_several_requests_within_the_deadline_each() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Blaxel-Authorization: Bearer " + BrokerFixture.KEY
                        + "\r\nX-Blaxel-Workspace: " + BrokerFixture.WS + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readAnswer(in);
                assertThat(head).startsWith("HTTP/1.1 200");
            }
        }
    }

    @Test
    void a_kept_alive_connection_pausing_under_the_deadline_between_requests_stays_open_past_it()
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", broker.broker.actualPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            // five pauses of 300 ms: the connection lives 1.5 s, two and a half deadlines, each pause half of one
            for (int i = 0; i < 6; i++) {
                if (i > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
                }
                out.write(("GET /v0/sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Blaxel-Authorization: Bearer "
                        + BrokerFixture.KEY + "\r\nX-Blaxel-Workspace: " + BrokerFixture.WS + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readAnswer(in)).as("answer %d", i).startsWith("HTTP/1.1 200");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1_200));
        }
    }

    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder answer = new StringBuilder();
        while (!answer.toString().endsWith("]")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            answer.append((char) c);
        }
        return answer.toString();
    }
}
