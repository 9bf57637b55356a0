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
import dev.sandgate.domain.SessionSubject;
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
     * Revoke-all (Sandgate's own): every session of this sandbox issued up to now stops working at once, open log
     * and watch streams, streamed execs and WebSocket tunnels included; returns how many there were. A session
     * created afterwards works; one whose creation raced the call is refused rather than left standing (see
     * {@link dev.sandgate.ports.AccessStore#revokeSessions}).
     */
    public int revokeAll() {
        return gateway.revokeSessions(sandbox, Optional.empty());
    }

    /** {@link #revokeAll()} for the sessions minted for one end user ({@link SessionOptions.Builder#subject}). */
    public int revokeAll(SessionSubject subject) {
        return gateway.revokeSessions(sandbox, Optional.of(Objects.requireNonNull(subject, "subject must not be null")));
    }

    /** {@link #revokeAll(SessionSubject)} with the subject as a string. */
    public int revokeAll(String subject) {
        return revokeAll(SessionSubject.of(Objects.requireNonNull(subject, "subject must not be null")));
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

    /**
     * Renewal in place (Sandgate's own): moves a live session's expiry, and its token's, towards {@code expiresAt},
     * within the {@code maxExpiresAt} it was minted with (a later request is clamped to it; an earlier one than its
     * current expiry changes nothing). The token value stays, so a page keeps using it, and its open streams and
     * tunnels stay open. Returns the session as it now is. {@code NotFound} for an unknown or expired session,
     * {@code InvalidRequest} (UNPROCESSABLE) for one minted without {@code maxExpiresAt}.
     */
    public Session renew(PreviewName name, Instant expiresAt) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        gateway.renewSession(sandbox, name, expiresAt);
        return get(name);
    }

    /** {@link #renew(PreviewName, Instant)} with the name as a string. */
    public Session renew(String name, Instant expiresAt) {
        return renew(PreviewName.of(Objects.requireNonNull(name, "name must not be null")), expiresAt);
    }

    /**
     * {@link #createIfExpired(SessionOptions, Duration)} that keeps the token when it can: the first listed session
     * is reused unless it expires strictly before {@code now + delta}; then, when it was minted with a
     * {@code maxExpiresAt}, it is renewed in place towards the options' expiry (default now + 24 h), and returned with
     * the same token if that carries it past {@code now + delta}. Otherwise (not renewable, or too close to its bound)
     * it is replaced by a new session exactly as {@code createIfExpired} does. {@code createIfExpired} itself is
     * unchanged, as the SDK defines it.
     */
    public Session renewIfExpired(SessionOptions options, Duration delta) {
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(delta, "delta must not be null");
        List<Session> sessions = list();
        if (sessions.isEmpty()) {
            return create(options);
        }
        Session first = sessions.get(0);
        Instant now = clock.instant();
        if (!first.needsRenewal(now, delta)) {
            return first;
        }
        boolean renewable = gateway.findPreview(sandbox, first.name())
                .flatMap(p -> p.spec().policy().maxExpiresAt()).isPresent();
        if (renewable) {
            try {
                Session renewed = renew(first.name(), options.expiresAt().orElse(now.plus(Session.DEFAULT_LIFETIME)));
                if (!renewed.needsRenewal(now, delta)) {
                    return renewed;
                }
            } catch (SandgateException.NotFound | SandgateException.InvalidRequest notInPlace) {
                // expired or deleted meanwhile, or no longer renewable: replaced below
            }
        }
        return createIfExpired(options, delta);
    }

    /** {@link #renewIfExpired(SessionOptions, Duration)} with the default delta of one hour. */
    public Session renewIfExpired(SessionOptions options) {
        return renewIfExpired(options, Session.DEFAULT_RENEWAL_DELTA);
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
