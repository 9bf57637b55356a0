package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import dev.sandgate.ports.usecase.Sandgate;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SandboxBackendTest {
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final URI PAGE = URI.create("http://127.0.0.1:3001");
    private static final SandboxName SANDBOX = SandboxName.of("example");

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final SandboxBackend backend = new SandboxBackend(gateway, "example", 3000, clock);

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void creates_the_sandbox_from_the_dev_server_image_with_the_app_port() {
        backend.handOff(PAGE);

        var spec = gateway.findSandbox(SANDBOX).orElseThrow().spec();
        assertThat(spec.image()).isEqualTo(DevServerImage.IMAGE);
        assertThat(spec.ports()).containsExactly(PortSpec.http("app", 3000));
    }

    @Test
    void a_sandbox_left_from_another_image_is_created_again_from_the_dev_server_image() {
        Sandgate.create(gateway, clock).sandboxes().create(SandboxSpec.of(SANDBOX)
                .withImage("sandgate/example-dev-server:latest"));

        backend.handOff(PAGE);

        assertThat(gateway.findSandbox(SANDBOX).orElseThrow().spec().image()).isEqualTo(DevServerImage.IMAGE);
    }

    @Test
    void the_session_expires_in_24_hours_and_answers_the_page_origin() {
        SandboxBackend.Handoff handoff = backend.handOff(PAGE);

        Session session = handoff.session();
        assertThat(session.expiresAt()).isEqualTo(NOW.plusSeconds(24 * 3600));
        Preview sessionPreview = gateway.findPreview(SANDBOX, session.name()).orElseThrow();
        assertThat(sessionPreview.isSandboxApi()).isTrue();
        assertThat(sessionPreview.isPublic()).isFalse();
        assertThat(sessionPreview.spec().responseHeaders().get("access-control-allow-origin"))
                .contains("http://127.0.0.1:3001");
    }

    @Test
    void the_preview_is_public_on_the_app_port_with_the_same_cors_headers() {
        SandboxBackend.Handoff handoff = backend.handOff(PAGE);

        Preview preview = gateway.findPreview(SANDBOX, SandboxBackend.PREVIEW).orElseThrow();
        assertThat(preview.isPublic()).isTrue();
        assertThat(preview.port()).isEqualTo(Port.of(3000));
        assertThat(preview.spec().responseHeaders()).isEqualTo(SandboxBackend.corsFor(PAGE));
        assertThat(handoff.previewUrl()).isEqualTo(preview.url());
        assertThat(handoff.appPort()).isEqualTo(3000);
    }

    @Test
    void a_new_hand_off_deletes_the_old_sessions_and_previews() {
        Session first = backend.handOff(PAGE).session();
        Session second = backend.handOff(PAGE).session();

        List<Session> sessions = Sandgate.create(gateway, clock).sandboxes().get(SANDBOX).sessions().list();
        assertThat(sessions).singleElement().satisfies(s -> {
            assertThat(s.token()).isEqualTo(second.token());
            assertThat(s.token()).isNotEqualTo(first.token());
        });
        assertThat(gateway.listPreviews(SANDBOX).stream().map(Preview::name).toList())
                .containsExactlyInAnyOrder(second.name(), SandboxBackend.PREVIEW);
    }

    @Test
    void an_existing_sandbox_is_reused() {
        backend.handOff(PAGE);
        Instant created = gateway.findSandbox(SANDBOX).orElseThrow().createdAt();

        backend.handOff(PAGE);

        assertThat(gateway.listSandboxes()).hasSize(1);
        assertThat(gateway.findSandbox(SANDBOX).orElseThrow().createdAt()).isEqualTo(created);
    }
}
