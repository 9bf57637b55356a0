package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionSandboxTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final Session session = Sandgate.create(gateway, clock).sandboxes()
            .create(SandboxSpec.of(SandboxName.of("box"))).sessions().create(SessionOptions.DEFAULTS);
    private final AtomicInteger connects = new AtomicInteger();
    private final SessionConnector counting = s -> {
        connects.incrementAndGet();
        return new GatewaySessionConnector(gateway, clock).connect(s);
    };

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void from_session_makes_no_call_until_used() {
        Sandgate.fromSession(session, counting);

        assertThat(connects).hasValue(0);
    }

    @Test
    void from_session_connects_once_for_processes_and_files() {
        SessionSandbox remote = Sandgate.fromSession(session, counting);

        remote.fs().write("/a.txt", "a");
        remote.process().list();

        assertThat(connects).hasValue(1);
    }

    @Test
    void from_session_keeps_the_session() {
        assertThat(Sandgate.fromSession(session, counting).session()).isEqualTo(session);
    }
}
