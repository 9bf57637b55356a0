package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sessions of one sandbox, exactly as the wire protocol defines them: a session is a private preview of the
 * sandbox API (port 443) named {@code session-<epoch millis>} plus one token that expires with it.
 */
public final class Sessions {
    private static final int NAME_ATTEMPTS = 5;

    private final SandboxName sandbox;
    private final SandboxGateway gateway;
    private final Clock clock;

    Sessions(SandboxName sandbox, SandboxGateway gateway, Clock clock) {
        this.sandbox = sandbox;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** A session with the defaults: it expires in 24 hours, its preview adds no headers. */
    public Session create() {
        return create(SessionOptions.DEFAULTS);
    }

    /**
     * Creates a session: the preview {@code session-<millis>} (private, port 443, {@code expires} = the session's
     * expiry, the given headers and {@link SessionOptions#policy()}: its scopes), then its token {@code token-<millis>} with the same expiry. Expiry defaults to
     * now + 24 h. Two sessions created in the same millisecond get consecutive millis.
     */
    public Session create(SessionOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        Instant now = clock.instant();
        Instant expiresAt = options.expiresAt().orElse(now.plus(Session.DEFAULT_LIFETIME));
        long millis = now.toEpochMilli();
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++, millis++) {
            PreviewName name = PreviewName.of(PreviewName.SESSION_PREFIX + millis);
            PreviewSpec spec = new PreviewSpec(name, Port.SANDBOX_API, false, options.responseHeaders(),
                    options.requestHeaders(), Optional.of(expiresAt), options.policy());
            Preview preview;
            try {
                preview = gateway.createPreview(sandbox, spec);
            } catch (SandgateException.Conflict taken) {
                continue;
            }
            PreviewToken token = gateway.createToken(sandbox, name, TokenName.mintedAt(millis), expiresAt);
            return new Session(name, preview.url(), token.value(), token.expiresAt());
        }
        throw new SandgateException.Conflict("could not name a new session of sandbox " + sandbox
                + ": " + NAME_ATTEMPTS + " names in a row were taken");
    }

    /**
     * The sessions of the sandbox: previews whose name contains {@code session-}, each with its newest token.
     * Ordered by expiry, latest first, so the first one is the freshest. Session previews without a token are left
     * out (they cannot be used).
     */
    public List<Session> list() {
        return gateway.listPreviews(sandbox).stream()
                .filter(p -> p.name().isSessionName())
                .flatMap(p -> toSession(p).stream())
                .sorted(Comparator.comparing(Session::expiresAt).reversed())
                .toList();
    }

    /** One session by name; {@code NotFound} when the preview or its token is missing. */
    public Session get(PreviewName name) {
        Preview preview = gateway.findPreview(sandbox, name)
                .orElseThrow(() -> new SandgateException.NotFound("session " + name + " not found in sandbox " + sandbox));
        return toSession(preview)
                .orElseThrow(() -> new SandgateException.NotFound("session " + name + " has no token"));
    }

    /** {@link #get(PreviewName)} with the name as a string. */
    public Session get(String name) {
        return get(PreviewName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    /** Deletes a session: its preview and so its token. It stops working at once. */
    public void delete(PreviewName name) {
        gateway.deletePreview(sandbox, name);
    }

    /** {@link #delete(PreviewName)} with the name as a string. */
    public void delete(String name) {
        delete(PreviewName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    /**
     * The SDK's renewal rule: look at the first listed session; reuse it unless it expires strictly before
     * {@code now + delta}, in which case delete it and create a new one. No session at all: create one.
     */
    public Session createIfExpired(SessionOptions options, Duration delta) {
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(delta, "delta must not be null");
        List<Session> sessions = list();
        if (sessions.isEmpty()) {
            return create(options);
        }
        Session first = sessions.get(0);
        if (!first.needsRenewal(clock.instant(), delta)) {
            return first;
        }
        try {
            delete(first.name());
        } catch (SandgateException.NotFound alreadyGone) {
            // a concurrent caller renewed it first; a fresh one is created below all the same
        }
        return create(options);
    }

    /** {@link #createIfExpired(SessionOptions, Duration)} with the default delta of one hour. */
    public Session createIfExpired(SessionOptions options) {
        return createIfExpired(options, Session.DEFAULT_RENEWAL_DELTA);
    }

    /** {@link #createIfExpired(SessionOptions, Duration)} with the default options and delta. */
    public Session createIfExpired() {
        return createIfExpired(SessionOptions.DEFAULTS);
    }

    private Optional<Session> toSession(Preview preview) {
        List<PreviewToken> tokens;
        try {
            tokens = gateway.listTokens(sandbox, preview.name());
        } catch (SandgateException.NotFound deletedMeanwhile) {
            return Optional.empty();
        }
        return tokens.stream().findFirst()
                .map(t -> new Session(preview.name(), preview.url(), t.value(), t.expiresAt()));
    }
}
