package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeIdTest {
    @Test
    void a_host_name_and_port_is_a_node_id_and_a_path_or_space_is_not() {
        assertThat(NodeId.of("broker-1.internal:8080").value()).isEqualTo("broker-1.internal:8080");
        assertThatThrownBy(() -> NodeId.of("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeId.of("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeId.of(":8080")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_label_names_the_requested_node_and_a_bad_value_is_an_invalid_request() {
        assertThat(NodeId.requestedBy(Map.of("sandgate-node", "node-a"))).contains(NodeId.of("node-a"));
        assertThat(NodeId.requestedBy(Map.of("team", "x"))).isEmpty();
        assertThatThrownBy(() -> NodeId.requestedBy(Map.of("sandgate-node", "../x")))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("sandgate-node");
    }

    @Test
    void a_node_url_is_absolute_http_or_https() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(new NodeInfo(NodeId.of("a"), URI.create("https://a.internal"), 0, now).url().getHost())
                .isEqualTo("a.internal");
        assertThatThrownBy(() -> new NodeInfo(NodeId.of("a"), URI.create("/relative"), 0, now))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NodeInfo(NodeId.of("a"), URI.create("ftp://a"), 0, now))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NodeInfo(NodeId.of("a"), URI.create("http://a"), -1, now))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
