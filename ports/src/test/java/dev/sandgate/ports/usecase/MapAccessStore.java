package dev.sandgate.ports.usecase;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionRevocations;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.AccessStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A plain-map {@link AccessStore} for testing {@link BrokeredSandboxGateway}. It keeps secrets in clear, which a real
 * store must not do.
 */
public final class MapAccessStore implements AccessStore {
    private record Key(SandboxName sandbox, PreviewName preview) {
    }

    private static final class Entry {
        Preview preview;
        final Deque<PreviewToken> tokens = new ArrayDeque<>();

        Entry(Preview preview) {
            this.preview = preview;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<Key, Entry> previews = new LinkedHashMap<>();
    private final Map<SandboxName, SessionRevocations> revocations = new LinkedHashMap<>();

    @Override
    public synchronized Preview insertPreview(Preview preview) {
        Key key = new Key(preview.sandbox(), preview.name());
        if (previews.containsKey(key)) {
            throw new SandgateException.Conflict("preview " + preview.name() + " already exists");
        }
        if (revocations.getOrDefault(preview.sandbox(), SessionRevocations.NONE).covers(preview)) {
            throw new SandgateException.Conflict("session " + preview.name() + " was revoked");
        }
        previews.put(key, new Entry(preview));
        return preview;
    }

    @Override
    public synchronized Preview replacePreview(Preview preview) {
        Entry entry = previews.get(new Key(preview.sandbox(), preview.name()));
        if (entry == null) {
            throw new SandgateException.NotFound("preview " + preview.name() + " not found");
        }
        entry.preview = preview;
        return preview;
    }

    @Override
    public synchronized Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return Optional.ofNullable(previews.get(new Key(sandbox, name))).map(e -> e.preview);
    }

    @Override
    public synchronized List<Preview> listPreviews(SandboxName sandbox) {
        return previews.values().stream().map(e -> e.preview).filter(p -> p.sandbox().equals(sandbox)).toList();
    }

    @Override
    public synchronized Optional<Preview> removePreview(SandboxName sandbox, PreviewName name) {
        return Optional.ofNullable(previews.remove(new Key(sandbox, name))).map(e -> e.preview);
    }

    @Override
    public synchronized void removeSandbox(SandboxName sandbox) {
        previews.keySet().removeIf(k -> k.sandbox().equals(sandbox));
        revocations.remove(sandbox);
    }

    @Override
    public synchronized int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject, Instant issuedUpTo) {
        revocations.put(sandbox, revocations.getOrDefault(sandbox, SessionRevocations.NONE).with(subject, issuedUpTo));
        int before = previews.size();
        previews.entrySet().removeIf(e -> e.getKey().sandbox().equals(sandbox)
                && SessionRevocations.covers(e.getValue().preview, subject, issuedUpTo));
        return before - previews.size();
    }

    @Override
    public synchronized Optional<Preview> renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt,
                                                       Instant now) {
        Entry entry = previews.get(new Key(sandbox, session));
        if (entry == null || !entry.preview.isSandboxApi() || entry.preview.isExpiredAt(now)) {
            return Optional.empty();
        }
        Optional<Instant> old = entry.preview.expires();
        if (old.isPresent() && !expiresAt.isAfter(old.get())) {
            return Optional.of(entry.preview);
        }
        List<PreviewToken> tokens = List.copyOf(entry.tokens);
        entry.tokens.clear();
        tokens.forEach(t -> entry.tokens.addLast(t.expiresWith(old) ? t.withExpiresAt(expiresAt) : t));
        entry.preview = new Preview(sandbox, entry.preview.spec().withExpires(expiresAt), entry.preview.url(),
                entry.preview.createdAt());
        return Optional.of(entry.preview);
    }

    @Override
    public synchronized PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name,
                                               Instant expiresAt, Instant now) {
        Entry entry = previews.get(new Key(sandbox, preview));
        if (entry == null) {
            throw new SandgateException.NotFound("preview " + preview + " not found in sandbox " + sandbox);
        }
        if (entry.tokens.stream().anyMatch(t -> t.name().equals(name))) {
            throw new SandgateException.Conflict("token " + name + " already exists");
        }
        List<PreviewToken> oldestFirst = new ArrayList<>(entry.tokens.size());
        entry.tokens.descendingIterator().forEachRemaining(oldestFirst::add);
        Set<TokenName> evicted = PreviewToken.evictedToMakeRoom(oldestFirst, now).stream()
                .map(PreviewToken::name).collect(Collectors.toSet());
        entry.tokens.removeIf(t -> evicted.contains(t.name()));
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        PreviewToken token = new PreviewToken(name, sandbox, preview,
                TokenValue.of(Base64.getUrlEncoder().withoutPadding().encodeToString(secret)), expiresAt);
        entry.tokens.addFirst(token);
        return token;
    }

    @Override
    public synchronized List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        Entry entry = previews.get(new Key(sandbox, preview));
        return entry == null ? List.of() : List.copyOf(entry.tokens);
    }

    @Override
    public synchronized Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        Entry entry = previews.get(new Key(sandbox, preview));
        if (entry == null) {
            return Optional.empty();
        }
        Optional<PreviewToken> token = entry.tokens.stream().filter(t -> t.name().equals(name)).findFirst();
        token.ifPresent(entry.tokens::remove);
        return token;
    }

    @Override
    public synchronized Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented,
                                                      Instant now) {
        Entry entry = previews.get(new Key(sandbox, preview));
        if (entry == null || entry.preview.isExpiredAt(now)) {
            return Optional.empty();
        }
        return entry.tokens.stream().filter(t -> t.value().matches(presented) && !t.isExpiredAt(now)).findFirst();
    }
}
