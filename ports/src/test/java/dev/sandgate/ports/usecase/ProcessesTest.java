package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessesTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    /** Every reading of this clock moves it 30 ms on, so a wait's deadline passes after a few readings. */
    private final MutableClock clock = new MutableClock(T0, Duration.ofMillis(30));
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final Processes processes = Sandgate.create(gateway, clock).sandboxes()
            .create(SandboxSpec.of(SandboxName.of("box"))).process();

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void wait_returns_a_finished_process_at_once() {
        ProcessInfo done = processes.exec(ProcessSpec.of("exit 3"));

        ProcessInfo waited = processes.wait(done.pid(), Duration.ZERO);

        assertThat(waited.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(waited.exitCode()).contains(3);
    }

    @Test
    void wait_returns_when_the_process_finishes_while_waiting() throws Exception {
        ProcessInfo running = processes.exec(ProcessSpec.of("sleep 30"));
        Processes waiting = Sandgate.create(gateway, new MutableClock(T0)).sandboxes().get(SandboxName.of("box"))
                .process();
        CompletableFuture<ProcessInfo> waited = CompletableFuture.supplyAsync(
                () -> waiting.wait(running.pid(), Duration.ofMinutes(1)));

        processes.kill(running.pid());

        assertThat(waited.get(10, TimeUnit.SECONDS).status()).isEqualTo(ProcessStatus.KILLED);
    }

    @Test
    void wait_gives_up_with_unavailable_once_max_wait_passed() {
        ProcessInfo running = processes.exec(ProcessSpec.of("sleep 30"));

        assertThatThrownBy(() -> processes.wait(running.pid(), Duration.ofMillis(50)))
                .isInstanceOfSatisfying(SandgateException.Unavailable.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessage("process " + running.pid() + " did not finish within PT0.05S");
    }

    @Test
    void wait_with_zero_max_wait_on_a_running_process_is_unavailable() {
        ProcessInfo running = processes.exec(ProcessSpec.of("sleep 30"));

        assertThatThrownBy(() -> processes.wait(running.pid(), Duration.ZERO))
                .isInstanceOf(SandgateException.Unavailable.class);
    }

    @Test
    void waiting_for_an_unknown_process_is_not_found() {
        assertThatThrownBy(() -> processes.wait("ghost", Duration.ofSeconds(1)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void blank_identifier_is_an_invalid_request() {
        assertThatThrownBy(() -> processes.get(" ")).isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void identifier_of_129_characters_is_an_invalid_request() {
        assertThatThrownBy(() -> processes.stop("p".repeat(129)))
                .isInstanceOf(SandgateException.InvalidRequest.class)
                .hasMessageContaining("1-128");
    }

    @Test
    void identifier_of_128_characters_is_looked_up() {
        assertThatThrownBy(() -> processes.logs("p".repeat(128))).isInstanceOf(SandgateException.NotFound.class);
    }
}
