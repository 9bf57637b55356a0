package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client of a request a broker of the cluster forwarded: the last {@code X-Forwarded-For} entry, the one that
 * broker appended, and only when it is an address; what a client wrote before it is never read.
 */
class ForwardedClientTest {
    @Test
    void the_last_entry_is_the_client_the_forwarding_broker_served() {
        assertThat(RequestState.lastForwardedFor(List.of("127.0.0.2"))).contains("127.0.0.2");
        assertThat(RequestState.lastForwardedFor(List.of("10.9.9.9, 192.0.2.7"))).contains("192.0.2.7");
        assertThat(RequestState.lastForwardedFor(List.of("10.9.9.9", "2001:db8::1"))).contains("2001:db8::1");
    }

    @Test
    void a_client_cannot_write_a_name_or_markup_into_the_trail_through_the_header() {
        for (String junk : List.of("", " ", "evil.example", "127.0.0.1\"}", "<script>", "1".repeat(46),
                "10.0.0.1, ", "unknown")) {
            assertThat(RequestState.lastForwardedFor(List.of(junk))).as(junk).isEmpty();
        }
        assertThat(RequestState.lastForwardedFor(List.of())).isEmpty();
    }
}
