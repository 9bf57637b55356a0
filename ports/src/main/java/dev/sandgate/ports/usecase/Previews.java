package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/** Previews of one sandbox. */
public final class Previews {
    private final SandboxName sandbox;
    private final SandboxGateway gateway;
    private final Clock clock;

    Previews(SandboxName sandbox, SandboxGateway gateway, Clock clock) {
        this.sandbox = sandbox;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** Creates a preview; {@code Conflict} when the name is taken. */
    public Preview create(PreviewSpec spec) {
        return gateway.createPreview(sandbox, Objects.requireNonNull(spec, "spec must not be null"));
    }

    /** The existing preview with the spec's name, or a new one (the SDK's get-then-create). */
    public Preview createIfNotExists(PreviewSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return gateway.findPreview(sandbox, spec.name()).orElseGet(() -> {
            try {
                return gateway.createPreview(sandbox, spec);
            } catch (SandgateException.Conflict raced) {
                return get(spec.name());
            }
        });
    }

    public Preview get(PreviewName name) {
        return gateway.findPreview(sandbox, name)
                .orElseThrow(() -> new SandgateException.NotFound("preview " + name + " not found in sandbox " + sandbox));
    }

    /** {@link #get(PreviewName)} with the name as a string. */
    public Preview get(String name) {
        return get(PreviewName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    public List<Preview> list() {
        return gateway.listPreviews(sandbox);
    }

    /** Deletes a preview with its tokens. */
    public Preview delete(PreviewName name) {
        return gateway.deletePreview(sandbox, name);
    }

    /** {@link #delete(PreviewName)} with the name as a string. */
    public Preview delete(String name) {
        return delete(PreviewName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    /** The tokens of one preview. */
    public PreviewTokens tokens(PreviewName preview) {
        return new PreviewTokens(sandbox, Objects.requireNonNull(preview, "preview must not be null"), gateway, clock);
    }

    /** {@link #tokens(PreviewName)} with the name as a string. */
    public PreviewTokens tokens(String preview) {
        return tokens(PreviewName.of(Objects.requireNonNull(preview, "preview must not be null")));
    }
}
