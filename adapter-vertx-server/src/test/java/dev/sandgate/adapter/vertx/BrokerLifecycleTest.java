package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bind first, then serve: the URL scheme is known before the gateway is built, even on port 0. */
class BrokerLifecycleTest {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private HttpResponse<String> list(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v0/sandboxes"))
                .header("X-Blaxel-Authorization", "Bearer " + BrokerFixture.KEY)
                .header("X-Blaxel-Workspace", BrokerFixture.WS).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_prepared_broker_knows_its_urls_answers_503_until_served_then_serves() throws Exception {
        BrokerSettings settings = BrokerSettings.defaults(BrokerFixture.KEY, BrokerFixture.WS).toBuilder().port(0).build();
        try (BrokerServer.Prepared prepared = BrokerServer.prepare(vertx, settings);
             InMemorySandboxGateway gateway = new InMemorySandboxGateway()) {
            int port = prepared.actualPort();
            String base = "http://127.0.0.1:" + port;

            assertThat(port).isPositive();
            assertThat(prepared.publicUrl()).isEqualTo(URI.create(base));
            assertThat(prepared.urlScheme().sandboxUrl(SandboxName.of("a"))).isEqualTo(base + "/test-ws/sandboxes/a");
            assertThat(prepared.urlScheme().previewUrl(SandboxName.of("a"), PreviewName.of("p"), Port.SANDBOX_API))
                    .isEqualTo(base + "/s/a/p");
            assertThat(prepared.urlScheme().previewUrl(SandboxName.of("a"), PreviewName.of("p"), Port.of(3000)))
                    .isEqualTo(base + "/p/a/p");
            HttpResponse<String> early = list(port);
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(BrokerFixture.json(early).getInteger("code")).isEqualTo(503);

            try (BrokerServer broker = prepared.serve(gateway, new GatewayAccessStore(gateway), Clock.systemUTC())) {
                assertThat(broker.actualPort()).isEqualTo(port);
                assertThat(broker.urlScheme()).isSameAs(prepared.urlScheme());
                assertThat(list(port).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void start_binds_and_serves_at_once_and_a_public_url_setting_names_the_urls() throws Exception {
        BrokerSettings settings = BrokerSettings.defaults(BrokerFixture.KEY, BrokerFixture.WS).toBuilder().port(0)
                .publicUrl(URI.create("https://broker.example/base")).build();
        try (InMemorySandboxGateway gateway = new InMemorySandboxGateway();
             BrokerServer broker = BrokerServer.start(vertx, settings, gateway, new GatewayAccessStore(gateway),
                     Clock.systemUTC())) {
            assertThat(broker.publicUrl()).isEqualTo(URI.create("https://broker.example/base"));
            assertThat(broker.urlScheme().sandboxUrl(SandboxName.of("a")))
                    .isEqualTo("https://broker.example/base/test-ws/sandboxes/a");
            assertThat(list(broker.actualPort()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void a_wildcard_bind_names_the_loopback_address_in_its_urls() {
        BrokerSettings settings = BrokerSettings.defaults(BrokerFixture.KEY, BrokerFixture.WS).toBuilder().port(0)
                .host("0.0.0.0").build();
        try (BrokerServer.Prepared prepared = BrokerServer.prepare(vertx, settings)) {
            assertThat(prepared.publicUrl().getHost()).isEqualTo("127.0.0.1");
        }
    }
}
