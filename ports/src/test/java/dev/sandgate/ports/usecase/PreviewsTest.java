package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PreviewsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:06.652Z");
    private static final PreviewName WEB = PreviewName.of("web");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final Previews previews = Sandgate.create(gateway, clock).sandboxes()
            .create(SandboxSpec.of(SandboxName.of("box"))).previews();

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void create_if_not_exists_creates_a_missing_preview() {
        Preview preview = previews.createIfNotExists(PreviewSpec.publicPort(WEB, Port.of(3000)));

        assertThat(previews.get(WEB)).isEqualTo(preview);
    }

    @Test
    void create_if_not_exists_returns_the_existing_preview_unchanged() {
        Preview existing = previews.create(PreviewSpec.publicPort(WEB, Port.of(3000)));

        Preview again = previews.createIfNotExists(PreviewSpec.privatePort(WEB, Port.of(4000)));

        assertThat(again).isEqualTo(existing);
        assertThat(previews.list()).containsExactly(existing);
    }

    @Test
    void getting_an_unknown_preview_is_not_found_naming_it_and_the_sandbox() {
        assertThatThrownBy(() -> previews.get(WEB))
                .isInstanceOf(SandgateException.NotFound.class)
                .hasMessage("preview web not found in sandbox box");
    }

    @Test
    void token_is_named_after_the_clocks_millis() {
        previews.create(PreviewSpec.privatePort(WEB, Port.of(3000)));

        PreviewToken token = previews.tokens(WEB).create(T0.plus(Duration.ofHours(1)));

        assertThat(token.name()).isEqualTo(TokenName.of("token-" + T0.toEpochMilli()));
        assertThat(token.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void second_token_in_the_same_millisecond_takes_the_next_millis() {
        previews.create(PreviewSpec.privatePort(WEB, Port.of(3000)));
        PreviewTokens tokens = previews.tokens(WEB);
        tokens.create(T0.plusSeconds(60));

        PreviewToken second = tokens.create(T0.plusSeconds(60));

        assertThat(second.name()).isEqualTo(TokenName.of("token-" + (T0.toEpochMilli() + 1)));
    }

    @Test
    void token_with_an_explicit_name_keeps_it() {
        previews.create(PreviewSpec.privatePort(WEB, Port.of(3000)));

        PreviewToken token = previews.tokens(WEB).create(TokenName.of("ci"), T0.plusSeconds(60));

        assertThat(previews.tokens(WEB).list()).containsExactly(token);
    }

    @Test
    void tokens_of_an_unknown_preview_cannot_be_created() {
        assertThatThrownBy(() -> previews.tokens(WEB).create(T0.plusSeconds(60)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleting_a_preview_deletes_its_tokens() {
        previews.create(PreviewSpec.privatePort(WEB, Port.of(3000)));
        previews.tokens(WEB).create(T0.plusSeconds(60));

        previews.delete(WEB);
        previews.create(PreviewSpec.privatePort(WEB, Port.of(3000)));

        assertThat(previews.tokens(WEB).list()).isEmpty();
    }
}
