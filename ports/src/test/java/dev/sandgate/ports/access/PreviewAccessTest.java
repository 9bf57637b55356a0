package dev.sandgate.ports.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.usecase.MapAccessStore;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The rules the local and the brokered gateway share for previews and tokens. */
class PreviewAccessTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final SandboxName BOX = SandboxName.of("box");
    private static final PreviewName WEB = PreviewName.of("web");

    private final Set<SandboxName> existing = ConcurrentHashMap.newKeySet();
    private final List<String> guarded = new ArrayList<>();
    private final PreviewAccess previews = new PreviewAccess(new MapAccessStore(),
            UrlScheme.under(URI.create("http://broker.invalid"), "ws"), Clock.fixed(NOW, ZoneOffset.UTC),
            new PreviewAccess.SandboxCheck() {
                @Override
                public boolean exists(SandboxName sandbox) {
                    return existing.contains(sandbox);
                }

                @Override
                public <T> T whileExists(SandboxName sandbox, Supplier<T> change) {
                    guarded.add(sandbox.value());
                    return PreviewAccess.SandboxCheck.super.whileExists(sandbox, change);
                }
            });

    @Test
    void a_sandbox_the_gateway_does_not_vouch_for_gets_no_preview_and_shows_none() {
        assertThatThrownBy(() -> previews.createPreview(BOX, PreviewSpec.publicPort(WEB, Port.of(3000))))
                .isInstanceOf(SandgateException.NotFound.class).hasMessage("sandbox box not found");
        assertThat(previews.findPreview(BOX, WEB)).isEmpty();
        assertThatThrownBy(() -> previews.listPreviews(BOX)).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void changes_run_inside_the_gateways_guard_so_that_it_can_hold_off_a_delete() {
        existing.add(BOX);

        previews.createPreview(BOX, PreviewSpec.privatePort(WEB, Port.of(3000)));
        previews.updatePreview(BOX, PreviewSpec.privatePort(WEB, Port.of(3001)));
        previews.createToken(BOX, WEB, TokenName.of("t"), NOW.plusSeconds(60));

        assertThat(guarded).containsExactly("box", "box", "box");
    }

    @Test
    void an_updated_preview_keeps_its_url_and_creation_time_when_its_port_changes() {
        existing.add(BOX);
        Preview created = previews.createPreview(BOX, PreviewSpec.publicPort(WEB, Port.of(3000)));

        Preview updated = previews.updatePreview(BOX, PreviewSpec.publicPort(WEB, Port.of(4000)));

        assertThat(updated.url()).isEqualTo(created.url());
        assertThat(updated.createdAt()).isEqualTo(created.createdAt());
        assertThat(updated.spec().port()).isEqualTo(Port.of(4000));
    }

    @Test
    void a_missing_token_is_not_found_naming_its_preview_and_sandbox() {
        existing.add(BOX);
        previews.createPreview(BOX, PreviewSpec.privatePort(WEB, Port.of(3000)));

        assertThatThrownBy(() -> previews.deleteToken(BOX, WEB, TokenName.of("gone")))
                .isInstanceOf(SandgateException.NotFound.class)
                .hasMessage("token gone not found in preview web of sandbox box");
    }
}
