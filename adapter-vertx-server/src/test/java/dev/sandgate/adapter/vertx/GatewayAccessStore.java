package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.SandboxGateway;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A test {@link AccessStore} that reads previews and tokens from a gateway that keeps its own (the in-memory one).
 * The broker only calls {@link #verify}; the writing methods delegate so the store stays coherent.
 */
final class GatewayAccessStore implements AccessStore {
    private final SandboxGateway gateway;

    GatewayAccessStore(SandboxGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Preview insertPreview(Preview preview) {
        return gateway.createPreview(preview.sandbox(), preview.spec());
    }

    @Override
    public Preview replacePreview(Preview preview) {
        return gateway.updatePreview(preview.sandbox(), preview.spec());
    }

    @Override
    public Optional<Preview> renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt, Instant now) {
        return Optional.of(gateway.renewSession(sandbox, session, expiresAt));
    }

    @Override
    public int revokeSessions(SandboxName sandbox, Optional<dev.sandgate.domain.SessionSubject> subject,
                              Instant issuedUpTo) {
        return gateway.revokeSessions(sandbox, subject);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return gateway.findPreview(sandbox, name);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        return gateway.listPreviews(sandbox);
    }

    @Override
    public Optional<Preview> removePreview(SandboxName sandbox, PreviewName name) {
        try {
            return Optional.of(gateway.deletePreview(sandbox, name));
        } catch (SandgateException.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public void removeSandbox(SandboxName sandbox) {
        gateway.listPreviews(sandbox).forEach(p -> gateway.deletePreview(sandbox, p.name()));
    }

    /** The gateway applies the cap on tokens per preview itself, at its own clock; {@code now} is not needed. */
    @Override
    public PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt,
                                  Instant now) {
        return gateway.createToken(sandbox, preview, name, expiresAt);
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        try {
            return gateway.listTokens(sandbox, preview);
        } catch (SandgateException.NotFound e) {
            return List.of();
        }
    }

    @Override
    public Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        try {
            return Optional.of(gateway.deleteToken(sandbox, preview, name));
        } catch (SandgateException.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented, Instant now) {
        if (presented == null) {
            return Optional.empty();
        }
        Optional<Preview> p = gateway.findPreview(sandbox, preview).filter(x -> !x.isExpiredAt(now));
        if (p.isEmpty()) {
            return Optional.empty();
        }
        return listTokens(sandbox, preview).stream()
                .filter(t -> t.value().matches(presented) && !t.isExpiredAt(now))
                .findFirst();
    }
}
