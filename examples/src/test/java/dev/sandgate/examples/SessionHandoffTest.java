package dev.sandgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.app.AppSettings;
import dev.sandgate.app.SandgateApp;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-off sample runs against a real broker: a key-less client runs a process with only the session. */
class SessionHandoffTest {
    @TempDir
    Path dataDir;

    private SandgateApp broker;

    @BeforeEach
    void start() {
        // the sample is about the session: served even where this machine cannot isolate processes
        broker = SandgateApp.start(AppSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true).build(),
                Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void a_client_holding_only_the_session_runs_a_process_and_reads_its_logs() {
        String result = SessionHandoff.run(broker.publicUrl().toString(), broker.settings().workspace(),
                broker.apiKey().value(), "handoff-test");

        assertThat(result).matches("process \\S+ completed: hello from /");
    }
}
