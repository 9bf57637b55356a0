package dev.sandgate.ports.contract;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionRevocations;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A {@link SandboxGateway} held in memory, for tests of code written over the port. Processes are emulated, not run:
 * only {@code echo <word>} (completes at once, printing the word), {@code sleep <seconds>} (runs until stopped or
 * killed) and {@code exit <code>} (finishes with that code) are understood; anything else is refused. Files live in
 * a map. Log callbacks arrive on one gateway thread, in order. {@link #close()} releases that thread. Tokens are
 * capped per preview as {@link PreviewToken#evictedToMakeRoom} says, at this gateway's clock.
 */
public final class InMemorySandboxGateway implements SandboxGateway, AutoCloseable {
    private final Clock clock;
    private final UrlScheme urls = UrlScheme.under(URI.create("http://sandgate.invalid"), "in-memory");
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "in-memory-gateway-callbacks");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<SandboxName, SandboxState> sandboxes = new TreeMap<>(Comparator.comparing(SandboxName::value));

    public InMemorySandboxGateway() {
        this(Clock.systemUTC());
    }

    public InMemorySandboxGateway(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    private static final class SandboxState {
        Sandbox sandbox;
        final Map<PreviewName, PreviewState> previews = new LinkedHashMap<>();
        final InMemoryDataPlane dataPlane;

        SandboxState(Sandbox sandbox, InMemoryDataPlane dataPlane) {
            this.sandbox = sandbox;
            this.dataPlane = dataPlane;
        }
    }

    private static final class PreviewState {
        Preview preview;
        /** Newest first. */
        final Deque<PreviewToken> tokens = new ArrayDeque<>();

        PreviewState(Preview preview) {
            this.preview = preview;
        }
    }

    /** Test hook: puts a sandbox into another status, e.g. one that {@code createIfNotExists} may not reuse. */
    public synchronized void setStatus(SandboxName name, SandboxStatus status) {
        SandboxState state = sandbox(name);
        state.sandbox = state.sandbox.withStatus(status);
    }

    @Override
    public synchronized Sandbox createSandbox(SandboxSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        if (sandboxes.containsKey(spec.name())) {
            throw new SandgateException.Conflict("sandbox " + spec.name() + " already exists");
        }
        Instant now = clock.instant();
        Sandbox sandbox = new Sandbox(spec, SandboxStatus.DEPLOYED, urls.sandboxUrl(spec.name()), now, now);
        sandboxes.put(spec.name(), new SandboxState(sandbox, new InMemoryDataPlane(spec.name(), clock, callbacks)));
        return sandbox;
    }

    @Override
    public synchronized Optional<Sandbox> findSandbox(SandboxName name) {
        return Optional.ofNullable(sandboxes.get(name)).map(s -> s.sandbox);
    }

    @Override
    public synchronized List<Sandbox> listSandboxes() {
        return sandboxes.values().stream().map(s -> s.sandbox).toList();
    }

    @Override
    public synchronized Sandbox updateSandbox(SandboxSpec spec) {
        SandboxState state = sandbox(spec.name());
        Sandbox old = state.sandbox;
        Instant now = clock.instant();
        state.sandbox = new Sandbox(spec, old.status(), old.url(), old.createdAt(),
                now.isBefore(old.createdAt()) ? old.createdAt() : now);
        return state.sandbox;
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        SandboxState state;
        synchronized (this) {
            state = sandbox(name);
            sandboxes.remove(name);
        }
        state.dataPlane.destroy();
        return state.sandbox.withStatus(SandboxStatus.DELETING);
    }

    @Override
    public synchronized Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        SandboxState state = sandbox(sandbox);
        if (state.previews.containsKey(spec.name())) {
            throw new SandgateException.Conflict("preview " + spec.name() + " already exists in sandbox " + sandbox);
        }
        Preview preview = new Preview(sandbox, spec, urls.previewUrl(sandbox, spec.name(), spec.port()), clock.instant());
        state.previews.put(spec.name(), new PreviewState(preview));
        return preview;
    }

    @Override
    public synchronized Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return Optional.ofNullable(sandboxes.get(sandbox)).map(s -> s.previews.get(name)).map(p -> p.preview);
    }

    @Override
    public synchronized List<Preview> listPreviews(SandboxName sandbox) {
        return sandbox(sandbox).previews.values().stream().map(p -> p.preview).toList();
    }

    @Override
    public synchronized Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        PreviewState state = preview(sandbox, spec.name());
        state.preview = new Preview(sandbox, spec, state.preview.url(), state.preview.createdAt());
        return state.preview;
    }

    @Override
    public synchronized Preview deletePreview(SandboxName sandbox, PreviewName name) {
        PreviewState state = preview(sandbox, name);
        sandbox(sandbox).previews.remove(name);
        return state.preview;
    }

    /** Every matching session listed now goes, under this gateway's lock (so no creation races it). */
    @Override
    public synchronized int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        Instant upTo = clock.instant();
        var previews = sandbox(sandbox).previews;
        int before = previews.size();
        previews.values().removeIf(state -> SessionRevocations.covers(state.preview, subject, upTo));
        return before - previews.size();
    }

    @Override
    public synchronized Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        PreviewState state = preview(sandbox, session);
        Instant now = clock.instant();
        Instant renewed = state.preview.renewedExpiry(expiresAt, now);
        Optional<Instant> old = state.preview.expires();
        List<PreviewToken> tokens = List.copyOf(state.tokens);
        state.tokens.clear();
        tokens.forEach(t -> state.tokens.addLast(t.expiresWith(old) ? t.withExpiresAt(renewed) : t));
        state.preview = new Preview(sandbox, state.preview.spec().withExpires(renewed), state.preview.url(),
                state.preview.createdAt());
        return state.preview;
    }

    @Override
    public synchronized PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name,
                                                 Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        PreviewState state = preview(sandbox, preview);
        if (state.tokens.stream().anyMatch(t -> t.name().equals(name))) {
            throw new SandgateException.Conflict("token " + name + " already exists in preview " + preview);
        }
        evictToMakeRoom(state);
        PreviewToken token = new PreviewToken(name, sandbox, preview, newSecret(), expiresAt);
        state.tokens.addFirst(token);
        return token;
    }

    /** Applies the cap ({@link PreviewToken#evictedToMakeRoom}) at this gateway's now. */
    private void evictToMakeRoom(PreviewState state) {
        List<PreviewToken> oldestFirst = new ArrayList<>(state.tokens.size());
        state.tokens.descendingIterator().forEachRemaining(oldestFirst::add);
        Set<TokenName> evicted = PreviewToken.evictedToMakeRoom(oldestFirst, clock.instant()).stream()
                .map(PreviewToken::name).collect(Collectors.toSet());
        state.tokens.removeIf(t -> evicted.contains(t.name()));
    }

    @Override
    public synchronized List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        return List.copyOf(preview(sandbox, preview).tokens);
    }

    @Override
    public synchronized PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        PreviewState state = preview(sandbox, preview);
        PreviewToken token = state.tokens.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new SandgateException.NotFound("token " + name + " not found in preview " + preview));
        state.tokens.remove(token);
        return token;
    }

    @Override
    public synchronized DataPlane dataPlane(SandboxName sandbox) {
        return sandbox(sandbox).dataPlane;
    }

    /** Stops the callback thread; later log callbacks are dropped. */
    @Override
    public void close() {
        callbacks.shutdownNow();
    }

    private SandboxState sandbox(SandboxName name) {
        Objects.requireNonNull(name, "sandbox must not be null");
        SandboxState state = sandboxes.get(name);
        if (state == null) {
            throw new SandgateException.NotFound("sandbox " + name + " not found");
        }
        return state;
    }

    private PreviewState preview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(name, "preview must not be null");
        PreviewState state = sandbox(sandbox).previews.get(name);
        if (state == null) {
            throw new SandgateException.NotFound("preview " + name + " not found in sandbox " + sandbox);
        }
        return state;
    }

    private TokenValue newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return TokenValue.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }
}
