package dev.sandgate.ports.usecase;

import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.PresentedToken;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.ForwardingDataPlane;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-process {@link SessionConnector}: finds the session preview (by its name and URL) in a gateway, and checks
 * the token against that preview's tokens on <em>every</em> call, so that expiry and deletion take effect at once.
 * The first call scans the gateway's sandboxes for the preview; later calls of the same connected session read only
 * that sandbox's preview and its tokens (at most {@link dev.sandgate.domain.PreviewToken#MAX_PER_PREVIEW}).
 * Unknown, foreign, deleted and wrong tokens are all {@code Unauthorized}; an expired one is {@code Expired}: the
 * rules are {@link AccessDecision}'s, the same the broker applies.
 */
public final class GatewaySessionConnector implements SessionConnector {
    private final SandboxGateway gateway;
    private final Clock clock;
    private final AccessDecision decision;

    public GatewaySessionConnector(SandboxGateway gateway, Clock clock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        // the gateway's token list answers expired tokens too, so that an expired session reads as Expired
        this.decision = new AccessDecision(this::lookUp, (sandbox, preview, presented, now) ->
                gateway.listTokens(sandbox, preview).stream().filter(t -> t.value().matches(presented.value()))
                        .findFirst());
    }

    @Override
    public DataPlane connect(Session session) {
        Objects.requireNonNull(session, "session must not be null");
        return new Guarded(session);
    }

    /**
     * The sandbox the session opens, checked now. {@code known}, the sandbox an earlier check found (a session's
     * preview lives in exactly one), spares the scan over every sandbox: only its preview and tokens are read.
     */
    private SandboxName authorise(Session session, Optional<SandboxName> known) {
        var now = clock.instant();
        List<SandboxName> candidates = known.isPresent() ? List.of(known.get())
                : gateway.listSandboxes().stream().map(dev.sandgate.domain.Sandbox::name).toList();
        for (SandboxName sandbox : candidates) {
            Optional<Preview> preview = lookUp(sandbox, session.name());
            if (preview.isEmpty() || !preview.get().url().equals(session.url())) {
                continue;
            }
            var outcome = decision.session(sandbox, session.name(), false,
                    new PresentedToken.Token(PresentedToken.Source.HEADER, session.token()), now);
            switch (outcome.verdict()) {
                case FORWARD -> {
                    return sandbox;
                }
                case EXPIRED -> throw new SandgateException.Expired("session " + session.name() + " expired");
                default -> throw new SandgateException.Unauthorized("session token is not valid for this sandbox");
            }
        }
        throw new SandgateException.Unauthorized("session token is not valid for this sandbox");
    }

    private Optional<Preview> lookUp(SandboxName sandbox, dev.sandgate.domain.PreviewName name) {
        try {
            return gateway.findPreview(sandbox, name);
        } catch (SandgateException.NotFound gone) {
            return Optional.empty();
        }
    }

    private final class Guarded extends ForwardingDataPlane {
        private final Session session;
        /** The sandbox of the session's preview, once a check found it. */
        private volatile SandboxName known;

        Guarded(Session session) {
            this.session = session;
        }

        private SandboxName authorised() {
            SandboxName sandbox = authorise(session, Optional.ofNullable(known));
            known = sandbox;
            return sandbox;
        }

        /** Checked on every call: expiry, revocation and deletion take effect at once. */
        @Override
        protected DataPlane delegate() {
            return gateway.dataPlane(authorised());
        }

        @Override
        public SandboxName sandbox() {
            return authorised();
        }
    }
}
