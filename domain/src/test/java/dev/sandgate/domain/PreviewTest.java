package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PreviewTest {
    private static final Instant CREATED = Instant.parse("2026-11-23T09:00:00Z");
    private static final Instant EXPIRES = Instant.parse("2026-11-24T09:00:00Z");
    private static final PreviewSpec SPEC = PreviewSpec.privatePort(PreviewName.of("web"), Port.of(3000));

    private static Preview preview(PreviewSpec spec) {
        return new Preview(SandboxName.of("box"), spec, "http://127.0.0.1:8080/p/box/web", CREATED);
    }

    @Test
    void preview_without_expiry_never_expires() {
        assertThat(preview(SPEC).isExpiredAt(Instant.MAX)).isFalse();
    }

    @Test
    void preview_is_expired_exactly_at_its_expiry() {
        assertThat(preview(SPEC.withExpires(EXPIRES)).isExpiredAt(EXPIRES)).isTrue();
    }

    @Test
    void preview_is_valid_one_millisecond_before_its_expiry() {
        assertThat(preview(SPEC.withExpires(EXPIRES)).isExpiredAt(EXPIRES.minusMillis(1))).isFalse();
    }

    @Test
    void port_443_designates_the_sandbox_api() {
        PreviewSpec session = PreviewSpec.privatePort(PreviewName.of("session-1"), Port.SANDBOX_API);

        assertThat(preview(session).isSandboxApi()).isTrue();
        assertThat(preview(SPEC).isSandboxApi()).isFalse();
    }

    @Test
    void url_with_a_trailing_slash_is_refused_and_named() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Preview(SandboxName.of("box"), SPEC, "http://h/p/box/web/", CREATED))
                .withMessageContaining("'http://h/p/box/web/'");
    }

    @Test
    void public_and_private_factories_set_visibility() {
        assertThat(PreviewSpec.publicPort(PreviewName.of("web"), Port.of(3000)).isPublic()).isTrue();
        assertThat(SPEC.isPublic()).isFalse();
    }

    @Test
    void with_headers_replace_only_their_own_side() {
        HttpHeaders cors = HttpHeaders.of(java.util.Map.of("Access-Control-Allow-Origin", "*"));

        PreviewSpec spec = SPEC.withResponseHeaders(cors);

        assertThat(spec.responseHeaders()).isEqualTo(cors);
        assertThat(spec.requestHeaders()).isEqualTo(HttpHeaders.NONE);
    }
}
