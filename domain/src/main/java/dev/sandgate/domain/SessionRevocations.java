package dev.sandgate.domain;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The revoke-all calls a sandbox has had, as "issued up to" instants: one for every session of the sandbox, and one
 * per subject. A session (a preview of the sandbox API) is {@link #covers covered} when it was created at or before
 * the sandbox's instant, or at or before its own subject's. Instants only move forward: a later call with an earlier
 * instant changes nothing.
 *
 * @param everySession the latest "issued up to" of a revocation of every session; empty: none
 * @param bySubject    the latest "issued up to" of a revocation of one subject's sessions
 */
public record SessionRevocations(Optional<Instant> everySession, Map<SessionSubject, Instant> bySubject) {
    public static final SessionRevocations NONE = new SessionRevocations(Optional.empty(), Map.of());

    public SessionRevocations {
        Objects.requireNonNull(everySession, "everySession must not be null");
        bySubject = Map.copyOf(Objects.requireNonNull(bySubject, "bySubject must not be null"));
    }

    /** These revocations and one more: of {@code subject}'s sessions, or of every session when empty. */
    public SessionRevocations with(Optional<SessionSubject> subject, Instant issuedUpTo) {
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(issuedUpTo, "issuedUpTo must not be null");
        if (subject.isEmpty()) {
            return new SessionRevocations(Optional.of(latest(everySession, issuedUpTo)), bySubject);
        }
        Map<SessionSubject, Instant> copy = new HashMap<>(bySubject);
        copy.merge(subject.get(), issuedUpTo, (a, b) -> a.isAfter(b) ? a : b);
        return new SessionRevocations(everySession, copy);
    }

    /** Whether {@code preview} is a session that one of these revocations took back. */
    public boolean covers(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        if (!preview.isSandboxApi()) {
            return false;
        }
        Instant created = preview.createdAt();
        if (everySession.filter(upTo -> !created.isAfter(upTo)).isPresent()) {
            return true;
        }
        return preview.spec().policy().subject().map(bySubject::get).filter(upTo -> !created.isAfter(upTo))
                .isPresent();
    }

    /** Whether one revocation, of {@code subject}'s sessions (every session when empty) up to the instant, covers it. */
    public static boolean covers(Preview preview, Optional<SessionSubject> subject, Instant issuedUpTo) {
        return NONE.with(subject, issuedUpTo).covers(preview);
    }

    public boolean isEmpty() {
        return everySession.isEmpty() && bySubject.isEmpty();
    }

    private static Instant latest(Optional<Instant> current, Instant candidate) {
        return current.filter(c -> c.isAfter(candidate)).orElse(candidate);
    }
}
