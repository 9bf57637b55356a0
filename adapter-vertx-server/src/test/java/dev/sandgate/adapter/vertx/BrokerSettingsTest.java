package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {
    private static final String KEY = "0123456789abcdef";

    @Test
    void defaults_are_the_documented_limits() {
        BrokerSettings s = BrokerSettings.defaults(KEY, "ws");

        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.maxHeaderBytes()).isEqualTo(8192);
        assertThat(s.maxInitialLineBytes()).isEqualTo(4096);
        assertThat(s.bodyLimitBytes()).isEqualTo(1024 * 1024);
        assertThat(s.upstreamHost()).isEqualTo("127.0.0.1");
        assertThat(s.toString()).doesNotContain(KEY);
    }

    @Test
    void bad_values_are_refused_when_configured() {
        assertThatThrownBy(() -> BrokerSettings.defaults("short", "ws")).hasMessageContaining("apiKey");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY, "v0")).hasMessageContaining("workspace");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY, "Bad_WS")).hasMessageContaining("workspace");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY, "ws").toBuilder().port(70000).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY, "ws").toBuilder().publicUrl(URI.create("ftp://x")).build())
                .hasMessageContaining("publicUrl");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY, "ws").toBuilder().upstreamHost("a b").build()).hasMessageContaining("upstreamHost");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY, "ws").toBuilder().workerPoolSize(0).build()).hasMessageContaining("workerPoolSize");
        assertThatThrownBy(() -> BrokerSettings.defaults(KEY + "\n", "ws")).hasMessageContaining("apiKey")
                .hasMessageNotContaining(KEY);
    }
}
