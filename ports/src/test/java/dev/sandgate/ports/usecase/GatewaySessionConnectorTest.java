package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewaySessionConnectorTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private static final Instant EXPIRY = T0.plus(Duration.ofHours(1));

    private final MutableClock clock = new MutableClock(T0);
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private final SandboxInstance sandbox = Sandgate.create(gateway, clock).sandboxes()
            .create(SandboxSpec.of(SandboxName.of("box")));
    private final GatewaySessionConnector connector = new GatewaySessionConnector(gateway, clock);

    @AfterEach
    void close() {
        gateway.close();
    }

    private DataPlane connect(Session session) {
        return connector.connect(session);
    }

    @Test
    void valid_session_reaches_its_sandbox() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));

        assertThat(connect(session).sandbox()).isEqualTo(sandbox.name());
    }

    @Test
    void after_its_first_check_a_connected_session_reads_only_its_own_sandbox_and_still_sees_deletion() {
        for (int i = 0; i < 20; i++) {
            gateway.createSandbox(SandboxSpec.of(SandboxName.of("other-" + i)));
        }
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        int[] scans = {0};
        GatewaySessionConnector counting = new GatewaySessionConnector(new dev.sandgate.ports.SandboxGateway() {
            @Override
            public java.util.List<dev.sandgate.domain.Sandbox> listSandboxes() {
                scans[0]++;
                return gateway.listSandboxes();
            }

            // everything else as the in-memory gateway answers it
            @Override
            public dev.sandgate.domain.Preview renewSession(SandboxName sandbox, dev.sandgate.domain.PreviewName session,
                                                            java.time.Instant expiresAt) {
                return gateway.renewSession(sandbox, session, expiresAt);
            }

            @Override
            public int revokeSessions(SandboxName sandbox,
                                      Optional<dev.sandgate.domain.SessionSubject> subject) {
                return gateway.revokeSessions(sandbox, subject);
            }

            @Override
            public dev.sandgate.domain.Sandbox createSandbox(SandboxSpec spec) {
                return gateway.createSandbox(spec);
            }

            @Override
            public Optional<dev.sandgate.domain.Sandbox> findSandbox(SandboxName name) {
                return gateway.findSandbox(name);
            }

            @Override
            public dev.sandgate.domain.Sandbox updateSandbox(SandboxSpec spec) {
                return gateway.updateSandbox(spec);
            }

            @Override
            public dev.sandgate.domain.Sandbox deleteSandbox(SandboxName name) {
                return gateway.deleteSandbox(name);
            }

            @Override
            public dev.sandgate.domain.Preview createPreview(SandboxName s, PreviewSpec spec) {
                return gateway.createPreview(s, spec);
            }

            @Override
            public Optional<dev.sandgate.domain.Preview> findPreview(SandboxName s, dev.sandgate.domain.PreviewName p) {
                return gateway.findPreview(s, p);
            }

            @Override
            public java.util.List<dev.sandgate.domain.Preview> listPreviews(SandboxName s) {
                return gateway.listPreviews(s);
            }

            @Override
            public dev.sandgate.domain.Preview updatePreview(SandboxName s, PreviewSpec spec) {
                return gateway.updatePreview(s, spec);
            }

            @Override
            public dev.sandgate.domain.Preview deletePreview(SandboxName s, dev.sandgate.domain.PreviewName p) {
                return gateway.deletePreview(s, p);
            }

            @Override
            public dev.sandgate.domain.PreviewToken createToken(SandboxName s, dev.sandgate.domain.PreviewName p,
                                                                dev.sandgate.domain.TokenName t, Instant expiresAt) {
                return gateway.createToken(s, p, t, expiresAt);
            }

            @Override
            public java.util.List<dev.sandgate.domain.PreviewToken> listTokens(SandboxName s,
                                                                               dev.sandgate.domain.PreviewName p) {
                return gateway.listTokens(s, p);
            }

            @Override
            public dev.sandgate.domain.PreviewToken deleteToken(SandboxName s, dev.sandgate.domain.PreviewName p,
                                                                dev.sandgate.domain.TokenName t) {
                return gateway.deleteToken(s, p, t);
            }

            @Override
            public DataPlane dataPlane(SandboxName s) {
                return gateway.dataPlane(s);
            }
        }, clock);
        DataPlane data = counting.connect(session);

        for (int i = 0; i < 5; i++) {
            assertThat(data.listProcesses()).isEmpty();
        }
        assertThat(scans[0]).isEqualTo(1);
        sandbox.sessions().delete(session.name());
        assertThatThrownBy(data::listProcesses).isInstanceOf(SandgateException.Unauthorized.class);
    }

    @Test
    void session_works_one_millisecond_before_its_expiry() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        clock.set(EXPIRY.minusMillis(1));

        assertThat(connect(session).listProcesses()).isEmpty();
    }

    @Test
    void session_is_expired_exactly_at_its_expiry() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        DataPlane data = connect(session);
        clock.set(EXPIRY);

        assertThatThrownBy(data::listProcesses).isInstanceOf(SandgateException.Expired.class);
    }

    @Test
    void expiry_is_checked_on_every_call_not_only_at_connect() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        DataPlane data = connect(session);
        data.writeFile(SandboxPath.of("/a.txt"), new byte[] {1}, Optional.empty());
        clock.set(EXPIRY.plusSeconds(1));

        assertThatThrownBy(() -> data.readFile(SandboxPath.of("/a.txt"))).isInstanceOf(SandgateException.Expired.class);
    }

    @Test
    void session_whose_preview_expired_first_is_expired() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        PreviewSpec shortened = sandbox.previews().get(session.name()).spec().withExpires(T0.plusSeconds(60));
        gateway.updatePreview(sandbox.name(), shortened);
        clock.set(T0.plusSeconds(60));

        assertThatThrownBy(() -> connect(session).listProcesses()).isInstanceOf(SandgateException.Expired.class);
    }

    @Test
    void deleted_session_is_unauthorized_at_once() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        DataPlane data = connect(session);
        sandbox.sessions().delete(session.name());

        assertThatThrownBy(data::listProcesses).isInstanceOf(SandgateException.Unauthorized.class);
    }

    @Test
    void session_with_a_foreign_url_is_unauthorized() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        Session moved = new Session(session.name(), "http://elsewhere.invalid/s/box/x", session.token(),
                session.expiresAt());

        assertThatThrownBy(() -> connect(moved).listProcesses()).isInstanceOf(SandgateException.Unauthorized.class);
    }

    @Test
    void refusal_message_never_contains_the_token() {
        Session session = sandbox.sessions().create(SessionOptions.expiringAt(EXPIRY));
        sandbox.sessions().delete(session.name());

        assertThatThrownBy(() -> connect(session).listProcesses())
                .hasMessageNotContaining(session.token().value());
    }
}
