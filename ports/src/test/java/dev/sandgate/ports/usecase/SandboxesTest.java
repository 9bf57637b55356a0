package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SandboxesTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private static final SandboxName BOX = SandboxName.of("box");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final Sandboxes sandboxes = Sandgate.create(gateway, clock).sandboxes();

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void create_if_not_exists_creates_a_missing_sandbox() {
        SandboxInstance instance = sandboxes.createIfNotExists(SandboxSpec.of(BOX));

        assertThat(instance.name()).isEqualTo(BOX);
        assertThat(gateway.findSandbox(BOX)).isPresent();
    }

    @Test
    void create_if_not_exists_reuses_a_reusable_sandbox_as_it_is() {
        sandboxes.create(SandboxSpec.of(BOX).withMemoryMb(1024));
        clock.advance(Duration.ofMinutes(1));

        SandboxInstance instance = sandboxes.createIfNotExists(SandboxSpec.of(BOX).withMemoryMb(2048));

        assertThat(instance.sandbox().memoryMb()).isEqualTo(1024);
        assertThat(instance.sandbox().createdAt()).isEqualTo(T0);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @EnumSource(value = SandboxStatus.class, names = {"FAILED", "TERMINATED", "DELETING", "DEACTIVATING"})
    void create_if_not_exists_recreates_a_sandbox_that_cannot_be_reused(SandboxStatus status) {
        sandboxes.create(SandboxSpec.of(BOX).withMemoryMb(1024));
        gateway.setStatus(BOX, status);
        clock.advance(Duration.ofMinutes(1));

        SandboxInstance instance = sandboxes.createIfNotExists(SandboxSpec.of(BOX).withMemoryMb(2048));

        assertThat(instance.sandbox().memoryMb()).isEqualTo(2048);
        assertThat(instance.sandbox().status()).isEqualTo(SandboxStatus.DEPLOYED);
        assertThat(instance.sandbox().createdAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    }

    @Test
    void creating_a_taken_name_is_a_conflict() {
        sandboxes.create(SandboxSpec.of(BOX));

        assertThatThrownBy(() -> sandboxes.create(SandboxSpec.of(BOX))).isInstanceOf(SandgateException.Conflict.class);
    }

    @Test
    void getting_an_unknown_sandbox_is_not_found_naming_it() {
        assertThatThrownBy(() -> sandboxes.get(BOX))
                .isInstanceOf(SandgateException.NotFound.class)
                .hasMessage("sandbox box not found");
    }

    @Test
    void list_gives_every_sandbox_by_name() {
        sandboxes.create(SandboxSpec.of(SandboxName.of("zulu")));
        sandboxes.create(SandboxSpec.of(SandboxName.of("alpha")));

        assertThat(sandboxes.list()).extracting(i -> i.name().value()).containsExactly("alpha", "zulu");
    }

    @Test
    void deleting_a_sandbox_through_its_instance_removes_it() {
        SandboxInstance instance = sandboxes.create(SandboxSpec.of(BOX));

        instance.delete();

        assertThat(gateway.findSandbox(BOX)).isEmpty();
    }
}
