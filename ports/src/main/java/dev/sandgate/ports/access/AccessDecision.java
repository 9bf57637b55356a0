package dev.sandgate.ports.access;

// Over 400 lines: it is the one access decision of every face (credential, expiry, scopes, origins, process owner),
// kept whole on purpose so that "where is a session checked?" has one answer; its rules are small static methods.

import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.TokenValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that decides whether a request may reach a sandbox through a session URL or an application preview,
 * for every face: the broker's data plane under a session URL, its preview proxy (path form, own port, own host
 * name), and in-process sessions. It reads the preview and verifies the token through the two functions it is given
 * (blocking: call it on a worker thread), and answers a {@link Verdict} with the {@link Grant} that a forwarded
 * request, stream or tunnel holds for as long as it is open: {@link #standing(Grant, Instant)} tells when that ends.
 *
 * <p>Rules, in order. A session URL needs the session's preview (port 443), not expired, and the API key or a token
 * of that preview valid now. An application preview needs to exist; a preflight passes (it carries no credential);
 * an expired preview is refused; a public one is open; a private one needs a token of that preview valid now, and a
 * WebSocket upgrade to it must come from an allowed {@code Origin} (against cross-site WebSocket hijacking, since a
 * cookie opens it). A token presented in the query on an origin that takes cookies is answered, and a browser's
 * top-level navigation with it is redirected to drop it from the address bar. A session's token carries its
 * preview's {@link SessionScopes} in its grant, and {@link #permits} decides each operation of the sandbox API against
 * them. A session whose policy lists origins ({@link SessionPolicy#origins()}) refuses a request, however credentialed,
 * whose {@code Origin} is not one of them ({@link #originAllowed}); a request without any {@code Origin} is not a
 * browser page (a page cannot send the token header without one) and is judged by its credential alone.
 */
public final class AccessDecision {
    /** What to do with the request. */
    public enum Verdict {
        /** Serve it. */
        FORWARD,
        /** Serve it, opened by a query token: set the token cookie with the answer where the mount has one. */
        FORWARD_SETTING_COOKIE,
        /** A browser's top-level navigation with a query token: set the cookie, redirect to the URL without it. */
        REDIRECT,
        /** No credential, or one that does not open this preview now (401). */
        UNAUTHORIZED,
        /** The preview or the session has expired (401 on the wire, {@code Expired} in process). */
        EXPIRED,
        /** Authenticated, but not allowed from where it comes (403). */
        FORBIDDEN,
        /** Authenticated, but the session is bound to other web origins than the request's {@code Origin} (403). */
        ORIGIN_NOT_ALLOWED,
        /** No such preview (404). */
        NOT_FOUND
    }

    /** How a forwarded request was let in. */
    public enum Credential { API_KEY, PUBLIC, TOKEN, PREFLIGHT }

    /**
     * What a forwarded request holds: which preview, by what credential, the token when it was one (kept only in
     * memory, to check it again while a stream or tunnel is open), and the scopes it may use (a session's token: its
     * preview's; anything else: {@link SessionScopes#full()}).
     */
    public record Grant(SandboxName sandbox, PreviewName preview, Credential credential, Optional<TokenValue> token,
                        Optional<Instant> tokenExpiresAt, SessionScopes scopes) {
        /** A grant with full scopes. */
        public Grant(SandboxName sandbox, PreviewName preview, Credential credential, Optional<TokenValue> token,
                     Optional<Instant> tokenExpiresAt) {
            this(sandbox, preview, credential, token, tokenExpiresAt, SessionScopes.full());
        }

        public Grant {
            Objects.requireNonNull(scopes, "scopes must not be null");
            Objects.requireNonNull(sandbox, "sandbox must not be null");
            Objects.requireNonNull(preview, "preview must not be null");
            Objects.requireNonNull(credential, "credential must not be null");
            Objects.requireNonNull(token, "token must not be null");
            Objects.requireNonNull(tokenExpiresAt, "tokenExpiresAt must not be null");
        }

        @Override
        public String toString() {
            return "Grant[" + sandbox + "/" + preview + " by " + credential + "]";
        }
    }

    /** The decision: a verdict, the preview when it was found, and the grant when it is forwarded. */
    public record Outcome(Verdict verdict, Optional<Preview> preview, Optional<Grant> grant,
                          Optional<PreviewToken> token) {
        public Outcome {
            Objects.requireNonNull(verdict, "verdict must not be null");
            Objects.requireNonNull(preview, "preview must not be null");
            Objects.requireNonNull(grant, "grant must not be null");
            Objects.requireNonNull(token, "token must not be null");
        }

        static Outcome refused(Verdict verdict, Optional<Preview> preview) {
            return new Outcome(verdict, preview, Optional.empty(), Optional.empty());
        }

        public boolean forwarded() {
            return verdict == Verdict.FORWARD || verdict == Verdict.FORWARD_SETTING_COOKIE || verdict == Verdict.REDIRECT;
        }
    }

    /**
     * A request to an application preview. {@code webSocketOrigin}: the {@code Origin} of a WebSocket upgrade
     * ({@code Optional.empty()} for plain HTTP, {@code Optional.of("")} for an upgrade without one);
     * {@code ownOrigins}: the origins that are the broker's or the preview's own (lowercase).
     */
    public record PreviewRequest(SandboxName sandbox, PreviewName preview, PresentedToken token, boolean preflight,
                                 boolean topLevelNavigation, Optional<String> webSocketOrigin, Set<String> ownOrigins) {
        public PreviewRequest {
            Objects.requireNonNull(sandbox, "sandbox must not be null");
            Objects.requireNonNull(preview, "preview must not be null");
            Objects.requireNonNull(token, "token must not be null");
            Objects.requireNonNull(webSocketOrigin, "webSocketOrigin must not be null");
            ownOrigins = Set.copyOf(ownOrigins);
        }
    }

    /** Reads a preview's record (blocking). */
    @FunctionalInterface
    public interface PreviewLookup {
        Optional<Preview> find(SandboxName sandbox, PreviewName name);
    }

    /**
     * The token of that preview whose secret is {@code presented}, if any. It may answer a token that has expired at
     * {@code now} (the decision then says {@link Verdict#EXPIRED}) or only valid ones (then expiry reads as unknown).
     */
    @FunctionalInterface
    public interface TokenVerifier {
        Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, TokenValue presented, Instant now);
    }

    private final PreviewLookup previews;
    private final TokenVerifier tokens;

    public AccessDecision(PreviewLookup previews, TokenVerifier tokens) {
        this.previews = Objects.requireNonNull(previews, "previews must not be null");
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
    }

    /** A request under a session URL (the sandbox API of one sandbox) that carries no {@code Origin}. */
    public Outcome session(SandboxName sandbox, PreviewName name, boolean apiKey, PresentedToken presented,
                           Instant now) {
        return session(sandbox, name, apiKey, presented, Optional.empty(), now);
    }

    /**
     * A request under a session URL (the sandbox API of one sandbox), from a page of {@code origin} (its
     * {@code Origin} header) when it carries one. The credential is judged first, so that a request without a valid
     * one learns nothing of the session's terms.
     */
    public Outcome session(SandboxName sandbox, PreviewName name, boolean apiKey, PresentedToken presented,
                           Optional<String> origin, Instant now) {
        Objects.requireNonNull(origin, "origin must not be null");
        Outcome outcome = credentialed(sandbox, name, apiKey, presented, now);
        if (outcome.forwarded() && !originAllowed(outcome.preview().orElseThrow(), origin)) {
            return Outcome.refused(Verdict.ORIGIN_NOT_ALLOWED, outcome.preview());
        }
        return outcome;
    }

    /**
     * Whether a request with this {@code Origin} (empty: none) may use {@code preview}: any may unless it is a session
     * whose policy lists origins; then one of them may, and so may a request with no {@code Origin} at all, which no
     * browser page sends with a custom header such as the session's token (a backend's or a command line's call,
     * which could name any origin it likes anyway). {@code Origin: null} (an opaque origin) is never listed.
     */
    public static boolean originAllowed(Preview preview, Optional<String> origin) {
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(origin, "origin must not be null");
        SessionPolicy policy = preview.spec().policy();
        return !preview.isSandboxApi() || policy.origins().isEmpty() || origin.isEmpty()
                || policy.allowsOrigin(origin);
    }

    private Outcome credentialed(SandboxName sandbox, PreviewName name, boolean apiKey, PresentedToken presented,
                                 Instant now) {
        Optional<Preview> preview = previews.find(sandbox, name);
        if (preview.isEmpty() || !preview.get().isSandboxApi()) {
            return Outcome.refused(apiKey ? Verdict.NOT_FOUND : Verdict.UNAUTHORIZED, Optional.empty());
        }
        if (preview.get().isExpiredAt(now)) {
            return Outcome.refused(Verdict.EXPIRED, preview);
        }
        if (apiKey) {
            return forward(Verdict.FORWARD, preview, sandbox, name, Credential.API_KEY, Optional.empty());
        }
        return byToken(sandbox, name, presented, now, preview, Verdict.FORWARD);
    }

    /** A request to an application preview, under any of its URLs. */
    public Outcome preview(PreviewRequest request, Instant now) {
        Optional<Preview> preview = previews.find(request.sandbox(), request.preview()).filter(p -> !p.isSandboxApi());
        if (preview.isEmpty()) {
            return Outcome.refused(Verdict.NOT_FOUND, Optional.empty());
        }
        if (request.preflight()) {
            return forward(Verdict.FORWARD, preview, request.sandbox(), request.preview(), Credential.PREFLIGHT,
                    Optional.empty());
        }
        if (preview.get().isExpiredAt(now)) {
            return Outcome.refused(Verdict.EXPIRED, preview);
        }
        if (preview.get().isPublic()) {
            return forward(Verdict.FORWARD, preview, request.sandbox(), request.preview(), Credential.PUBLIC,
                    Optional.empty());
        }
        Verdict onSuccess = Verdict.FORWARD;
        if (request.token() instanceof PresentedToken.Token t && t.source() == PresentedToken.Source.QUERY) {
            onSuccess = request.topLevelNavigation() && request.webSocketOrigin().isEmpty()
                    ? Verdict.REDIRECT : Verdict.FORWARD_SETTING_COOKIE;
        }
        Outcome outcome = byToken(request.sandbox(), request.preview(), request.token(), now, preview, onSuccess);
        if (outcome.forwarded() && request.webSocketOrigin().isPresent()
                && !webSocketOriginAllowed(request.webSocketOrigin().get(), preview.get(), request.ownOrigins())) {
            return Outcome.refused(Verdict.FORBIDDEN, preview);
        }
        return outcome;
    }

    /** Whether what a grant opened may stay open, and if not, why. */
    public enum Standing {
        VALID, EXPIRED, REVOKED;

        /** What a stream's last line or a tunnel's close reason says. */
        public String reason() {
            return switch (this) {
                case VALID -> "still valid";
                case EXPIRED -> "the session or preview token expired";
                case REVOKED -> "the session, its preview token or its preview was deleted";
            };
        }
    }

    /**
     * Whether what {@code grant} opened may stay open at {@code now}: its preview still exists and has not expired,
     * its token (when it was one) is still valid at its current expiry (a renewal in place moves it), and a public
     * preview still is public. The API key never lapses.
     */
    public Standing standing(Grant grant, Instant now) {
        if (grant.credential() == Credential.API_KEY) {
            return Standing.VALID;
        }
        Optional<Preview> preview = previews.find(grant.sandbox(), grant.preview());
        if (preview.isEmpty()) {
            return Standing.REVOKED;
        }
        if (preview.get().isExpiredAt(now)) {
            return Standing.EXPIRED;
        }
        // A token's expiry is read again, not taken from the grant: a renewal in place moves it, and what the token
        // opened stays open across the renewal.
        if (grant.credential() != Credential.TOKEN
                && grant.tokenExpiresAt().filter(end -> !end.isAfter(now)).isPresent()) {
            return Standing.EXPIRED;
        }
        return switch (grant.credential()) {
            case PUBLIC -> preview.get().isPublic() ? Standing.VALID : Standing.REVOKED;
            case TOKEN -> grant.token().flatMap(t -> tokens.verify(grant.sandbox(), grant.preview(), t, now))
                    .map(t -> t.isExpiredAt(now) ? Standing.EXPIRED : Standing.VALID)
                    // refused: expired if it ran out at the expiry it had when opened, else taken back
                    .orElse(grant.tokenExpiresAt().filter(end -> !end.isAfter(now)).isPresent() ? Standing.EXPIRED
                            : Standing.REVOKED);
            case PREFLIGHT -> Standing.REVOKED;
            case API_KEY -> Standing.VALID;
        };
    }

    /**
     * What one request of the sandbox API does, for {@link #permits}: the operation, the sandbox paths it names
     * (normalised: a file's path, a process's {@code workingDir}) and the ports it waits on.
     */
    public record Operation(SessionScopes.Operation operation, List<SandboxPath> paths, List<Port> ports) {
        public Operation {
            Objects.requireNonNull(operation, "operation must not be null");
            paths = List.copyOf(paths);
            ports = List.copyOf(ports);
        }

        public static Operation of(SessionScopes.Operation operation) {
            return new Operation(operation, List.of(), List.of());
        }
    }

    /**
     * Why a grant's scopes do not cover an operation: the scope it lacks ({@code fs:write}), or the path or port it
     * may not name. Its message says which, without any token.
     */
    public record ScopeRefusal(SessionScopes.Operation scope, Optional<SandboxPath> path, Optional<Port> port) {
        public ScopeRefusal {
            Objects.requireNonNull(scope, "scope must not be null");
            Objects.requireNonNull(path, "path must not be null");
            Objects.requireNonNull(port, "port must not be null");
        }

        public String message() {
            if (path.isPresent()) {
                return "this session may not use path " + path.get() + " (outside its path scopes)";
            }
            if (port.isPresent()) {
                return "this session may not wait on port " + port.get().value() + " (outside its port scopes)";
            }
            return "this session lacks the scope " + scope.wireName();
        }
    }

    /**
     * Whether {@code grant} may perform {@code operation}: its scopes allow the operation, every path the request
     * names lies under one of their prefixes, and every port it waits on is one of theirs. Empty: allowed.
     */
    public static Optional<ScopeRefusal> permits(Grant grant, Operation operation) {
        Objects.requireNonNull(grant, "grant must not be null");
        Objects.requireNonNull(operation, "operation must not be null");
        SessionScopes scopes = grant.scopes();
        if (!scopes.allows(operation.operation())) {
            return Optional.of(new ScopeRefusal(operation.operation(), Optional.empty(), Optional.empty()));
        }
        for (SandboxPath path : operation.paths()) {
            if (!scopes.allowsPath(path)) {
                return Optional.of(new ScopeRefusal(operation.operation(), Optional.of(path), Optional.empty()));
            }
        }
        for (Port port : operation.ports()) {
            if (!scopes.allowsPort(port)) {
                return Optional.of(new ScopeRefusal(operation.operation(), Optional.empty(), Optional.of(port)));
            }
        }
        return Optional.empty();
    }

    /**
     * The session a process started under {@code grant} is recorded as started by: a session token's preview (the
     * session's name); none for the API key, which is no session.
     */
    public static Optional<PreviewName> owner(Grant grant) {
        Objects.requireNonNull(grant, "grant must not be null");
        return grant.credential() == Credential.TOKEN ? Optional.of(grant.preview()) : Optional.empty();
    }

    /**
     * The session whose processes alone {@code grant} may reach: its own, when it is a session's token whose scopes
     * lack {@link SessionScopes.Operation#PROCESS_OTHERS} (a session minted without scopes has it). Empty: every
     * process of the sandbox. Applied with {@link OwnedProcesses}.
     */
    public static Optional<PreviewName> processesLimitedTo(Grant grant) {
        return owner(grant).filter(session -> !grant.scopes().allows(SessionScopes.Operation.PROCESS_OTHERS));
    }

    private Outcome byToken(SandboxName sandbox, PreviewName name, PresentedToken presented, Instant now,
                            Optional<Preview> preview, Verdict onSuccess) {
        if (!(presented instanceof PresentedToken.Token t)) {
            return Outcome.refused(Verdict.UNAUTHORIZED, preview);
        }
        Optional<PreviewToken> token = tokens.verify(sandbox, name, t.value(), now);
        if (token.isEmpty()) {
            return Outcome.refused(Verdict.UNAUTHORIZED, preview);
        }
        if (token.get().isExpiredAt(now)) {
            return Outcome.refused(Verdict.EXPIRED, preview);
        }
        SessionScopes scopes = preview.map(p -> p.spec().policy().scopes()).orElse(SessionScopes.full());
        return new Outcome(onSuccess, preview, Optional.of(new Grant(sandbox, name, Credential.TOKEN,
                Optional.of(t.value()), Optional.of(token.get().expiresAt()), scopes)), token);
    }

    private static Outcome forward(Verdict verdict, Optional<Preview> preview, SandboxName sandbox, PreviewName name,
                                   Credential credential, Optional<TokenValue> token) {
        return new Outcome(verdict, preview, Optional.of(new Grant(sandbox, name, credential, token,
                Optional.empty())), Optional.empty());
    }

    /**
     * Whether a WebSocket upgrade to a private preview may come from {@code origin}: none (not a browser), one of
     * {@code own} (the broker's, or the preview's own page opening its own socket), or one the preview's
     * {@code Access-Control-Allow-Origin} names ({@code *} allows any; {@code null} never).
     */
    static boolean webSocketOriginAllowed(String origin, Preview preview, Set<String> own) {
        if (origin.isEmpty()) {
            return true;
        }
        String presented = origin.trim().toLowerCase(Locale.ROOT);
        if (own.contains(presented)) {
            return true;
        }
        String configured = preview.spec().responseHeaders().get("Access-Control-Allow-Origin").orElse(null);
        if (configured == null) {
            return false;
        }
        for (String allowed : configured.split("[,\\s]+")) {
            String a = allowed.trim().toLowerCase(Locale.ROOT);
            if (a.equals("*") || (!a.isEmpty() && !a.equals("null") && a.equals(presented))) {
                return true;
            }
        }
        return false;
    }
}
