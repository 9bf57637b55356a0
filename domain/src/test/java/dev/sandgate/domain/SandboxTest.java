package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SandboxTest {
    private static final Instant CREATED = Instant.parse("2026-11-23T09:00:00Z");
    private static final SandboxSpec SPEC = SandboxSpec.of(SandboxName.of("box"));

    @Test
    void empty_url_means_no_http_data_plane_and_is_accepted() {
        assertThat(new Sandbox(SPEC, SandboxStatus.DEPLOYED, "", CREATED, CREATED).url()).isEmpty();
    }

    @Test
    void url_with_a_trailing_slash_is_refused_and_named() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Sandbox(SPEC, SandboxStatus.DEPLOYED, "http://h/ws/sandboxes/box/", CREATED, CREATED))
                .withMessageContaining("'http://h/ws/sandboxes/box/'");
    }

    @Test
    void update_before_creation_is_refused_with_both_instants() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Sandbox(SPEC, SandboxStatus.DEPLOYED, "", CREATED, CREATED.minusMillis(1)))
                .withMessageContaining("2026-11-23T08:59:59.999Z")
                .withMessageContaining("2026-11-23T09:00:00Z");
    }

    @Test
    void with_status_changes_only_the_status() {
        Sandbox sandbox = new Sandbox(SPEC, SandboxStatus.DEPLOYED, "http://h", CREATED, CREATED);

        assertThat(sandbox.withStatus(SandboxStatus.DELETING))
                .isEqualTo(new Sandbox(SPEC, SandboxStatus.DELETING, "http://h", CREATED, CREATED));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = SandboxStatus.class, names = {"FAILED", "TERMINATED", "DELETING", "DEACTIVATING"})
    void failed_terminated_deleting_and_deactivating_sandboxes_are_not_reusable(SandboxStatus status) {
        assertThat(status.isReusable()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = SandboxStatus.class, names = {"FAILED", "TERMINATED", "DELETING", "DEACTIVATING"},
            mode = EnumSource.Mode.EXCLUDE)
    void every_other_status_is_reusable(SandboxStatus status) {
        assertThat(status.isReusable()).isTrue();
    }
}
