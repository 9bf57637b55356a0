package dev.sandgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.app.AppSettings;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.contract.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-user sample against a real broker: the page edits its file and is refused a shell, another site's page is
 * refused the session, and the backend reads exactly that user's trail.
 */
class OneUsersSessionTest {
    @TempDir
    Path dataDir;

    private SandgateApp broker;

    @BeforeEach
    void start() {
        broker = SandgateApp.start(AppSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true).build(),
                Clock.systemUTC(), new SecureRandom());
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void the_page_edits_its_file_is_refused_a_shell_and_the_backend_reads_that_users_trail() throws Exception {
        String url = broker.publicUrl().toString();
        OneUsersSession.Backend backend = new OneUsersSession.Backend(url, broker.settings().workspace(),
                broker.apiKey().value(), "one-user-test");
        Session alice = backend.mintFor("alice");
        Session bob = backend.mintFor("bob");

        assertThat(OneUsersSession.usedByThePage(url, alice))
                .startsWith("read back '# alice's notes', refused a shell:").contains("process:exec");
        HttpResponse<String> elsewhere = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(alice.url() + "/filesystem/%2Fworkspace%2Fnotes.md"))
                .header("X-Blaxel-Preview-Token", alice.token().value())
                .header("Origin", "https://evil.example").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(elsewhere.body()).contains("ORIGIN_NOT_ALLOWED");
        OneUsersSession.usedByThePage(url, bob);

        Eventually.await("alice's uses in her trail", Duration.ofSeconds(20),
                () -> backend.trailOf("alice").size() >= 4);
        List<String> trail = backend.trailOf("alice");
        assertThat(trail).anyMatch(l -> l.contains(" fs.write /workspace/notes.md 200"))
                .anyMatch(l -> l.contains(" fs.read /workspace/notes.md 200"))
                .anyMatch(l -> l.contains(" process.exec ") && l.endsWith(" 403 SCOPE_MISSING"))
                .anyMatch(l -> l.endsWith(" 403 ORIGIN_NOT_ALLOWED"))
                .allMatch(l -> l.contains(alice.name().value()))
                .noneMatch(l -> l.contains(alice.token().value()));
    }
}
