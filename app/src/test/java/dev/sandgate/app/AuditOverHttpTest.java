package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditPage;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.contract.Eventually;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail through the Java API: a backend mints a session for one end user, the page uses it over HTTP, and
 * the backend reads that user's trail back, through the HTTP client and in process alike; it survives a restart of
 * the broker (the file store).
 */
class AuditOverHttpTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    @TempDir
    Path dataDir;
    private SandgateApp app;

    @BeforeEach
    void start() {
        app = start(dataDir);
    }

    private static SandgateApp start(Path dir) {
        return SandgateApp.start(TestSettings.defaults(dir).toBuilder().port(0).allowUnisolatedSessions(true).build(),
                Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void stop() {
        app.close();
    }

    private SandgateClient client(SandgateApp on) {
        return SandgateClient.builder().baseUrl(on.publicUrl() + "/v0").workspace(on.settings().workspace())
                .apiKey(on.apiKey().value()).build();
    }

    @Test
    void a_backend_reads_one_end_users_trail_through_the_java_client_and_in_process() {
        SandgateClient client = client(app);
        Sandgate sandgate = Sandgate.create(client.gateway()).withAuditTrail(client.auditTrail());
        SandboxInstance box = sandgate.sandboxes().createIfNotExists("audited");
        Session alice = box.sessions().create(SessionOptions.builder().subject("alice").build());
        Session bob = box.sessions().create(SessionOptions.builder().subject("bob").build());

        SessionSandbox page = Sandgate.fromSession(alice, client.sessionConnector());
        page.fs().write("/notes.txt", "hello");
        assertThat(page.fs().read("/notes.txt")).isEqualTo("hello");
        Sandgate.fromSession(bob, client.sessionConnector()).fs().read("/notes.txt");

        AuditQuery alices = AuditQuery.all().withSubject("alice");
        Eventually.await("alice's write and read recorded", PATIENCE, () -> box.audit(alices).entries().stream()
                .map(AuditEntry::operation).toList().containsAll(List.of("fs.write", "fs.read")));
        List<AuditEntry> entries = box.audit(alices).entries();
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.session()).isEqualTo(alice.name());
            assertThat(e.credential()).isEqualTo("token");
            assertThat(e.status()).isBetween(200, 299);
        });
        assertThat(entries).filteredOn(e -> e.operation().startsWith("fs."))
                .allSatisfy(e -> assertThat(e.target()).contains("/notes.txt"));
        Eventually.await("bob's read recorded", PATIENCE,
                () -> !box.audit(AuditQuery.all().withSubject("bob")).entries().isEmpty());

        // an embedder reads the same trail in process
        AuditPage inProcess = app.auditTrail().query(box.name(), alices);
        assertThat(inProcess.entries()).isEqualTo(entries);
        assertThat(Sandgate.create(client.gateway()).withAuditTrail(app.auditTrail()).sandboxes().get("audited")
                .audit().entries()).hasSizeGreaterThan(entries.size());
    }

    @Test
    void the_java_client_pages_with_the_cursor_and_the_trail_survives_a_restart() throws Exception {
        SandgateClient client = client(app);
        SandboxInstance box = Sandgate.create(client.gateway()).withAuditTrail(client.auditTrail()).sandboxes()
                .createIfNotExists("paged");
        Session session = box.sessions().create(SessionOptions.builder().subject("carol").build());
        SessionSandbox page = Sandgate.fromSession(session, client.sessionConnector());
        for (int i = 0; i < 5; i++) {
            page.process().list();
        }
        Eventually.await("5 uses recorded", PATIENCE, () -> box.audit().entries().size() >= 5);
        int recorded = box.audit().entries().size();

        List<AuditEntry> read = new ArrayList<>();
        AuditPage p = box.audit(AuditQuery.all().withLimit(2));
        read.addAll(p.entries());
        while (p.nextCursor().isPresent()) {
            p = box.audit(AuditQuery.all().withLimit(2).after(p.nextCursor().get()));
            read.addAll(p.entries());
        }
        assertThat(read).hasSize(recorded).extracting(AuditEntry::id).doesNotHaveDuplicates();
        assertThat(Files.readString(dataDir.resolve("audit").resolve("paged.jsonl")))
                .doesNotContain(session.token().value()).doesNotContain(app.apiKey().value());

        app.close();
        app = start(dataDir);
        SandgateClient again = client(app);
        assertThat(Sandgate.create(again.gateway()).withAuditTrail(again.auditTrail()).sandboxes().get("paged")
                .audit().entries()).isEqualTo(read);
    }

    @Test
    void bad_queries_are_refused_and_a_client_without_the_key_has_no_trail() {
        SandgateClient client = client(app);
        SandboxInstance box = Sandgate.create(client.gateway()).withAuditTrail(client.auditTrail()).sandboxes()
                .createIfNotExists("refused");
        assertThatThrownBy(() -> box.audit(AuditQuery.all().after("not-a-cursor")))
                .isInstanceOf(SandgateException.InvalidRequest.class);
        assertThatThrownBy(() -> Sandgate.create(client.gateway()).sandboxes().get("refused").audit())
                .isInstanceOf(SandgateException.Unavailable.class);
        SandgateClient sessionOnly = SandgateClient.builder().baseUrl(app.publicUrl() + "/v0").build();
        assertThatThrownBy(sessionOnly::auditTrail).isInstanceOf(IllegalStateException.class);
    }
}
