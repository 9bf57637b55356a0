package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Host header names this broker or the request is refused, before routing (DNS rebinding, misdirection). */
class HostHeaderTest {
    private BrokerFixture broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private String get(String hostLines) {
        return broker.raw("GET /v0/sandboxes HTTP/1.1\r\n" + hostLines + "X-Blaxel-Authorization: Bearer "
                + BrokerFixture.KEY + "\r\nX-Blaxel-Workspace: " + BrokerFixture.WS + "\r\nConnection: close\r\n\r\n");
    }

    private static String status(String answer) {
        return answer.isEmpty() ? "(nothing)" : answer.substring(0, answer.indexOf("\r\n"));
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    @Test
    @DisplayName("loopback names with the bound port or none, in any case and with a trailing dot, route identically")
    void loopback_names_route_identically() {
        broker = new BrokerFixture();
        int port = broker.broker.actualPort();
        String reference = get("Host: 127.0.0.1:" + port + "\r\n");

        assertThat(reference).startsWith("HTTP/1.1 200");
        for (String host : List.of("127.0.0.1", "localhost", "localhost:" + port, "LOCALHOST:" + port,
                "LocalHost", "localhost.:" + port, "localhost.", "[::1]", "[::1]:" + port, "127.0.0.1.:" + port)) {
            String answer = get("Host: " + host + "\r\n");
            assertThat(status(answer)).as(host).isEqualTo("HTTP/1.1 200 OK");
            assertThat(body(answer)).as(host).isEqualTo(body(reference));
        }
    }

    @Test
    @DisplayName("a foreign name (DNS rebinding) or another port gets 421 with a JSON body that does not echo the Host")
    void foreign_names_get_421_without_echo() {
        broker = new BrokerFixture();
        int port = broker.broker.actualPort();

        for (String host : List.of("attacker.example", "attacker.example:" + port, "rebind-7f000001.attacker.example",
                "127.0.0.1:" + (port == 65535 ? 1 : port + 1), "localhost:6379", "2130706433:" + port,
                "127.0.0.2:" + port, "evil@127.0.0.1:" + port)) {
            String answer = get("Host: " + host + "\r\n");
            assertThat(answer).as(host).startsWith("HTTP/1.1 421");
            JsonObject json = new JsonObject(body(answer));
            assertThat(json.getInteger("code")).isEqualTo(421);
            assertThat(json.getString("error")).isEqualTo("MISDIRECTED_REQUEST");
            assertThat(answer).as(host).doesNotContain("attacker").doesNotContain("2130706433").doesNotContain("evil")
                    .doesNotContain("6379");
        }
    }

    @Test
    void foreign_names_are_refused_on_the_preview_proxy_and_session_urls_too() {
        broker = new BrokerFixture();
        String proxy = broker.raw("GET /p/web/app/ HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
        String session = broker.raw("GET /s/web/session/process HTTP/1.1\r\nHost: attacker.example\r\n"
                + "Connection: close\r\n\r\n");
        String preflight = broker.raw("OPTIONS /s/web/session/process HTTP/1.1\r\nHost: attacker.example\r\n"
                + "Origin: http://attacker.example\r\nAccess-Control-Request-Method: GET\r\nConnection: close\r\n\r\n");

        for (String answer : List.of(proxy, session, preflight)) {
            assertThat(answer).startsWith("HTTP/1.1 421").doesNotContain("attacker");
        }
    }

    @Test
    @DisplayName("two Host headers, an empty one, a malformed port or a missing one: 400, no 500")
    void malformed_host_headers_get_400() {
        broker = new BrokerFixture();
        int port = broker.broker.actualPort();

        List<String> malformed = List.of(
                "Host: 127.0.0.1:" + port + "\r\nHost: 127.0.0.1:" + port + "\r\n",
                "Host: 127.0.0.1:" + port + "\r\nHost: attacker.example\r\n",
                "Host: \r\n",
                "Host: localhost:abc\r\n",
                "Host: localhost:\r\n",
                "Host: localhost:99999999\r\n",
                "Host: [::1\r\n",
                "Host: a:b:c\r\n",
                "");
        for (String lines : malformed) {
            String answer = get(lines);
            assertThat(answer).as(lines).startsWith("HTTP/1.1 400");
            assertThat(answer).as(lines).doesNotContain("attacker");
        }
        String crInHost = get("Host: 127.0.0.1\rX-Injected: 1\r\n");
        assertThat(status(crInHost)).doesNotContain("200").doesNotContain("500");
    }

    @Test
    void with_a_public_url_its_host_is_served_with_or_without_its_port_and_loopback_still_works() {
        broker = new BrokerFixture(s -> s.toBuilder().publicUrl(URI.create("https://Broker.Example")).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));
        int port = broker.broker.actualPort();

        for (String host : List.of("broker.example", "broker.example:443", "BROKER.EXAMPLE.", "127.0.0.1:" + port)) {
            assertThat(get("Host: " + host + "\r\n")).as(host).startsWith("HTTP/1.1 200");
        }
        for (String host : List.of("broker.example:" + port, "broker.example:80", "other.example", "example")) {
            assertThat(get("Host: " + host + "\r\n")).as(host).startsWith("HTTP/1.1 421");
        }
    }

    @Test
    void a_public_url_with_an_explicit_port_is_served_with_exactly_that_port() {
        broker = new BrokerFixture(s -> s.toBuilder().publicUrl(URI.create("http://broker.example:8443")).build(),
                Duration.ofSeconds(BrokerServer.HEADER_DEADLINE_SECONDS));

        assertThat(get("Host: broker.example:8443\r\n")).startsWith("HTTP/1.1 200");
        assertThat(get("Host: broker.example\r\n")).startsWith("HTTP/1.1 200");
        assertThat(get("Host: broker.example:80\r\n")).startsWith("HTTP/1.1 421");
    }
}
