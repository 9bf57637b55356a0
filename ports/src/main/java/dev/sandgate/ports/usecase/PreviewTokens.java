package dev.sandgate.ports.usecase;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.domain.SandgateException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Tokens of one private preview. */
public final class PreviewTokens {
    private final SandboxName sandbox;
    private final PreviewName preview;
    private final SandboxGateway gateway;
    private final Clock clock;

    PreviewTokens(SandboxName sandbox, PreviewName preview, SandboxGateway gateway, Clock clock) {
        this.sandbox = sandbox;
        this.preview = preview;
        this.gateway = gateway;
        this.clock = clock;
    }

    public PreviewToken create(TokenName name, Instant expiresAt) {
        return gateway.createToken(sandbox, preview, Objects.requireNonNull(name, "name must not be null"),
                Objects.requireNonNull(expiresAt, "expiresAt must not be null"));
    }

    /** {@link #create(TokenName, Instant)} with the name as a string. */
    public PreviewToken create(String name, Instant expiresAt) {
        return create(TokenName.of(Objects.requireNonNull(name, "name must not be null")), expiresAt);
    }

    /** Mints a token named {@code token-<epoch millis>}, as the SDK names them (the next free millis on a clash). */
    public PreviewToken create(Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        long millis = clock.millis();
        for (int attempt = 0; attempt < 5; attempt++, millis++) {
            try {
                return create(TokenName.mintedAt(millis), expiresAt);
            } catch (SandgateException.Conflict taken) {
                // same millisecond as an earlier token: try the next name
            }
        }
        throw new SandgateException.Conflict("could not name a new token of preview " + preview + ": names are taken");
    }

    public List<PreviewToken> list() {
        return gateway.listTokens(sandbox, preview);
    }

    public PreviewToken delete(TokenName name) {
        return gateway.deleteToken(sandbox, preview, name);
    }

    /** {@link #delete(TokenName)} with the name as a string. */
    public PreviewToken delete(String name) {
        return delete(TokenName.of(Objects.requireNonNull(name, "name must not be null")));
    }
}
