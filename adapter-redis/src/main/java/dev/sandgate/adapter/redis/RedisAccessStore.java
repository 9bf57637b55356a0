package dev.sandgate.adapter.redis;

// Over 400 lines: each AccessStore operation is one script call with its key and argument list; split apart, the key layout would be read in several places.

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.Readiness;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Previews, preview tokens and so sessions (port-443 previews with a token) kept in Redis, shared by every broker of
 * a cluster. Key layout: {@code common.lua}; the format in docs/scale-out.md.
 *
 * <p><b>At rest.</b> As in the embedded store, a token's value is never stored: Redis holds a random nonce per
 * token, and the value is derived from it with the cluster's token key ({@link TokenCrypto}), which stays in a file
 * beside each broker. The verification index is keyed by an HMAC of the value, so a copy of Redis (a dump, a
 * replica, a backup) yields no usable token, and cannot test a guess either.
 *
 * <p><b>Atomic changes.</b> Every change spanning more than one key is one Lua script ({@link Scripts}): a mint
 * checks the preview, the name, applies the cap (R8) and its evictions and adds the token in one step, so concurrent
 * mints by any number of brokers never keep more than the cap nor lose a token. The same scripts publish the
 * {@link Invalidation}s of what they deleted.
 *
 * <p><b>Expiry.</b> Redis drops a record {@link #GRACE} after it expires ({@code PEXPIREAT}, derived from the
 * record's expiry), so the store never grows with dead records; whether something has expired is still decided at
 * the caller's instant, exactly, never by Redis.
 *
 * <p><b>Verification</b> is one round trip: the keyed hash of the presented value names the index entry, which holds
 * the token's owner, expiry and nonce; the value derived again is compared in constant time. A credential verified
 * so is then served from memory for up to a second ({@link VerifiedCache}), but only while the store is subscribed
 * to the cluster's invalidations ({@link InvalidationSubscriber}).
 *
 * <p><b>Fails closed.</b> When the store loses its connection or its subscription, {@link #verify} refuses to check
 * any credential ({@link SandgateException.Unavailable} with {@code STORE_UNAVAILABLE}, a 503) until both are back,
 * and the cache starts empty then: invalidations published meanwhile were lost, so nothing held before is trusted.
 *
 * <p>Thread-safe: one Lettuce connection, whose commands from every thread are pipelined. When Redis cannot be
 * reached every method throws {@code STORE_UNAVAILABLE} within the command timeout; Lettuce reconnects by itself, at
 * most a second apart, so the store serves again without a restart.
 */
public final class RedisAccessStore implements AccessStore, AutoCloseable {
    /** How long Redis keeps a record after it expired (so that brokers with slightly different clocks agree). */
    public static final Duration GRACE = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(RedisAccessStore.class);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final RedisKeys keys;
    private final TokenCrypto crypto;
    private final RedisEndpoint endpoint;
    private final VerifiedCache cache;
    private final InvalidationSubscriber subscriber;
    private volatile StoreCallTimer timer = StoreCallTimer.NONE;

    private RedisAccessStore(RedisClient client, StatefulRedisConnection<String, String> connection, RedisKeys keys,
                             TokenCrypto crypto, RedisEndpoint endpoint, VerifiedCache cache,
                             InvalidationSubscriber subscriber) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        this.keys = keys;
        this.crypto = crypto;
        this.endpoint = endpoint;
        this.cache = cache;
        this.subscriber = subscriber;
    }

    /** Connects to the store of the default namespace, {@code sandgate}. */
    public static RedisAccessStore open(RedisEndpoint endpoint, byte[] tokenKey) {
        return open(endpoint, tokenKey, "sandgate");
    }

    /**
     * Connects, checks that Redis answers and subscribes to the cluster's invalidations; fails with an
     * {@link IllegalStateException} naming the endpoint (never the password) when Redis does not answer.
     */
    public static RedisAccessStore open(RedisEndpoint endpoint, byte[] tokenKey, String namespace) {
        Objects.requireNonNull(endpoint, "endpoint must not be null");
        Objects.requireNonNull(tokenKey, "tokenKey must not be null");
        TokenCrypto crypto = new TokenCrypto(tokenKey);
        RedisKeys keys = new RedisKeys(namespace, endpoint.database());
        RedisClient client = LettuceClients.create(endpoint);
        try {
            StatefulRedisConnection<String, String> connection = client.connect(LettuceClients.uri(endpoint));
            connection.sync().ping();
            VerifiedCache cache = new VerifiedCache();
            InvalidationSubscriber subscriber = InvalidationSubscriber.start(client, LettuceClients.uri(endpoint),
                    keys.channel(), endpoint.describe(), connection, cache);
            return new RedisAccessStore(client, connection, keys, crypto, endpoint, cache, subscriber);
        } catch (RedisException e) {
            LettuceClients.shutdown(client);
            throw new IllegalStateException("the shared store at " + endpoint.describe() + " cannot be reached: "
                    + LettuceClients.describe(e), e);
        }
    }

    RedisKeys keys() {
        return keys;
    }

    RedisClient client() {
        return client;
    }

    /** The command connection, which the node catalog may share ({@link RedisNodeCatalog#sharing}). */
    StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    RedisEndpoint endpoint() {
        return endpoint;
    }

    VerifiedCache cache() {
        return cache;
    }

    // ------------------------------------------------------------------ previews

    @Override
    public Preview insertPreview(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        List<String> args = new ArrayList<>(List.of(preview.name().value(),
                keys.tokenPrefix(preview.sandbox(), preview.name()), keys.indexPrefix(), dropAt(preview)));
        args.addAll(revocationCheck(preview));
        args.addAll(PreviewFields.of(preview));
        String status = status(run(Scripts.INSERT_PREVIEW, new String[]{keys.preview(preview.sandbox(),
                preview.name()), keys.previews(preview.sandbox()), keys.tokens(preview.sandbox(), preview.name()),
                keys.seq(), keys.revocations(preview.sandbox())}, args));
        if (status.equals("REVOKED")) {
            throw revokedConflict(preview);
        }
        if (status.equals("CONFLICT")) {
            throw new SandgateException.Conflict("preview " + preview.name() + " already exists in sandbox "
                    + preview.sandbox());
        }
        return preview;
    }

    @Override
    public Preview replacePreview(Preview preview) {
        Objects.requireNonNull(preview, "preview must not be null");
        List<String> args = new ArrayList<>(List.of(dropAt(preview), keys.channel(),
                Invalidation.preview(preview.sandbox(), preview.name()).encode()));
        args.addAll(revocationCheck(preview));
        args.addAll(PreviewFields.of(preview));
        String status = status(run(Scripts.REPLACE_PREVIEW, new String[]{keys.preview(preview.sandbox(),
                preview.name()), keys.revocations(preview.sandbox())}, args));
        forgetAtOnce(Invalidation.preview(preview.sandbox(), preview.name()));
        if (status.equals("REVOKED")) {
            throw revokedConflict(preview);
        }
        if (status.equals("NOTFOUND")) {
            throw new SandgateException.NotFound("preview " + preview.name() + " not found in sandbox "
                    + preview.sandbox());
        }
        return preview;
    }

    /** What the scripts check against the sandbox's revoke-all calls: a session's creation and subject, or nothing. */
    private static List<String> revocationCheck(Preview preview) {
        if (!preview.isSandboxApi()) {
            return List.of("", "");
        }
        return List.of(preview.createdAt().toString(),
                preview.spec().policy().subject().map(SessionSubject::value).orElse(""));
    }

    private static SandgateException.Conflict revokedConflict(Preview preview) {
        return new SandgateException.Conflict("session " + preview.name() + " of sandbox " + preview.sandbox()
                + " was created at " + preview.createdAt() + ", when its sessions had been revoked: mint a new one");
    }

    private static String dropAt(Preview preview) {
        return preview.expires().map(e -> Long.toString(PreviewFields.millisUp(e) + GRACE.toMillis())).orElse("");
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        return PreviewFields.read(timed("find_preview", () -> redis.hgetall(keys.preview(sandbox, name))));
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        List<Object> out = run(Scripts.LIST_PREVIEWS, new String[]{keys.previews(sandbox)},
                List.of(keys.previewPrefix(sandbox)));
        List<Preview> previews = new ArrayList<>();
        for (Object fields : out.subList(1, out.size())) {
            PreviewFields.read((List<?>) fields).ifPresent(previews::add);
        }
        return List.copyOf(previews);
    }

    @Override
    public Optional<Preview> removePreview(SandboxName sandbox, PreviewName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(name, "name must not be null");
        List<Object> out = run(Scripts.REMOVE_PREVIEW, new String[]{keys.preview(sandbox, name),
                keys.previews(sandbox), keys.tokens(sandbox, name)}, List.of(name.value(),
                keys.tokenPrefix(sandbox, name), keys.indexPrefix(), keys.channel(),
                Invalidation.preview(sandbox, name).encode()));
        forgetAtOnce(Invalidation.preview(sandbox, name));
        return PreviewFields.read((List<?>) out.get(1));
    }

    @Override
    public void removeSandbox(SandboxName sandbox) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        run(Scripts.REMOVE_SANDBOX, new String[]{keys.previews(sandbox), keys.revocations(sandbox)}, List.of(keys.previewPrefix(sandbox),
                keys.tokenSetPrefix(sandbox), keys.tokenPrefix(sandbox), keys.indexPrefix(), keys.channel(),
                Invalidation.sandbox(sandbox).encode()));
        forgetAtOnce(Invalidation.sandbox(sandbox));
    }

    /**
     * {@inheritDoc} One script: the revocation is recorded and the sessions it covers removed in one step, each
     * removal published, so every broker's cache drops them (and no entry outlives {@link VerifiedCache#MAX_AGE}).
     */
    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject, Instant issuedUpTo) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(issuedUpTo, "issuedUpTo must not be null");
        List<Object> out = run(Scripts.REVOKE_SESSIONS, new String[]{keys.previews(sandbox),
                keys.revocations(sandbox)}, List.of(keys.previewPrefix(sandbox), keys.tokenSetPrefix(sandbox),
                keys.tokenPrefix(sandbox), keys.indexPrefix(), keys.channel(),
                Invalidation.previewPrefix(sandbox), issuedUpTo.toString(),
                subject.map(SessionSubject::value).orElse("")));
        forgetAtOnce(Invalidation.sandbox(sandbox)); // the sandbox's sessions, whichever were removed
        return ((Number) out.get(1)).intValue();
    }

    /**
     * {@inheritDoc} One script moves the preview's and its tokens' expiries (hash fields, the verification index
     * entries and when Redis drops them) and publishes the change, so no broker keeps the old expiry in its cache.
     */
    @Override
    public Optional<Preview> renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt, Instant now) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(session, "session must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(now, "now must not be null");
        Invalidation change = Invalidation.preview(sandbox, session);
        List<Object> out = run(Scripts.RENEW_SESSION, new String[]{keys.preview(sandbox, session),
                keys.tokens(sandbox, session)}, List.of(keys.tokenPrefix(sandbox, session), keys.indexPrefix(),
                now.toString(), expiresAt.toString(), millis(expiresAt), nanosWithin(expiresAt),
                Long.toString(PreviewFields.millisUp(expiresAt) + GRACE.toMillis()), keys.channel(), change.encode()));
        forgetAtOnce(change);
        if (status(out).equals("NOTFOUND")) {
            return Optional.empty();
        }
        return findPreview(sandbox, session);
    }

    /** Drops from the cache at once what a change made here deleted: its message comes back to us a little later. */
    private void forgetAtOnce(Invalidation change) {
        cache.drop(Optional.of(change));
    }

    // ------------------------------------------------------------------ tokens

    /** {@inheritDoc} The check, the evictions and the new token are one Lua script: one atomic change in Redis. */
    @Override
    public PreviewToken mintToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt,
                                  Instant now) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(now, "now must not be null");
        String nonce = crypto.newNonce();
        String value = crypto.derive(sandbox, preview, name, nonce);
        String hash = crypto.indexHash(value);
        String indexValue = String.join(" ", sandbox.value(), preview.value(), name.value(), expiresAt.toString(),
                nonce);
        long drop = Math.max(PreviewFields.millisUp(expiresAt), PreviewFields.millisUp(now)) + GRACE.toMillis();
        List<Object> out = run(Scripts.MINT, new String[]{keys.preview(sandbox, preview), keys.tokens(sandbox,
                preview), keys.seq()}, List.of(name.value(), keys.tokenPrefix(sandbox, preview), keys.indexPrefix(),
                nonce, millis(expiresAt), nanosWithin(expiresAt), millis(now), nanosWithin(now), hash,
                Integer.toString(PreviewToken.MAX_PER_PREVIEW), indexValue, keys.channel(),
                Invalidation.tokenPrefix(sandbox, preview), expiresAt.toString(), Long.toString(drop)));
        forgetAtOnce(Invalidation.preview(sandbox, preview)); // the cap may have evicted any token of the preview
        switch (status(out)) {
            case "NOTFOUND" -> throw new SandgateException.NotFound("preview " + preview + " not found in sandbox "
                    + sandbox);
            case "CONFLICT" -> throw new SandgateException.Conflict("token " + name + " already exists in preview "
                    + preview);
            default -> {
                return new PreviewToken(name, sandbox, preview, TokenValue.of(value), expiresAt);
            }
        }
    }

    private static String millis(Instant instant) {
        return Long.toString(instant.toEpochMilli()); // rounded down
    }

    private static String nanosWithin(Instant instant) {
        return Integer.toString(instant.getNano() % 1_000_000);
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        List<Object> out = run(Scripts.LIST_TOKENS, new String[]{keys.tokens(sandbox, preview)},
                List.of(keys.tokenPrefix(sandbox, preview)));
        List<PreviewToken> tokens = new ArrayList<>();
        for (int i = out.size() - 2; i >= 1; i -= 2) { // newest first
            token(sandbox, preview, String.valueOf(out.get(i)), PreviewFields.asMap((List<?>) out.get(i + 1)))
                    .ifPresent(tokens::add);
        }
        return List.copyOf(tokens);
    }

    @Override
    public Optional<PreviewToken> removeToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(name, "name must not be null");
        List<Object> out = run(Scripts.REMOVE_TOKEN, new String[]{keys.tokens(sandbox, preview),
                keys.token(sandbox, preview, name)}, List.of(name.value(), keys.indexPrefix(), keys.channel(),
                Invalidation.token(sandbox, preview, name).encode()));
        forgetAtOnce(Invalidation.token(sandbox, preview, name));
        return token(sandbox, preview, name.value(), PreviewFields.asMap((List<?>) out.get(1)));
    }

    private Optional<PreviewToken> token(SandboxName sandbox, PreviewName preview, String name,
                                         Map<String, String> fields) {
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        try {
            TokenName tokenName = TokenName.of(name);
            String value = crypto.derive(sandbox, preview, tokenName, fields.get("nonce"));
            return Optional.of(new PreviewToken(tokenName, sandbox, preview, TokenValue.of(value),
                    Instant.parse(fields.get("exp"))));
        } catch (RuntimeException e) {
            LOG.warn("ignoring an unreadable token record of preview {} in sandbox {}", preview, sandbox);
            return Optional.empty();
        }
    }

    @Override
    public Optional<PreviewToken> verify(SandboxName sandbox, PreviewName preview, String presented, Instant now) {
        if (sandbox == null || preview == null || presented == null || now == null
                || !TokenCrypto.wellFormed(presented)) {
            return Optional.empty();
        }
        if (!cache.trusted()) {
            throw SandgateException.Unavailable.store("the shared store (Redis) is out of reach or its invalidations "
                    + "are: this broker checks no credential until it is back", null);
        }
        String hash = crypto.indexHash(presented);
        Optional<VerifiedCache.Entry> cached = cache.get(hash, now);
        if (cached.isPresent()) {
            Optional<PreviewToken> valid = validAt(cached.get(), sandbox, preview, presented, now);
            if (valid.isPresent()) {
                return valid;
            }
            // expired by what the cache holds: Redis may know of a renewal whose message is still on its way
        }
        long epoch = cache.epoch();
        List<Object> out = run(Scripts.VERIFY, new String[]{keys.indexPrefix() + hash,
                keys.preview(sandbox, preview)}, List.of());
        String[] entry = String.valueOf(out.get(1)).split(" ", -1);
        boolean previewExists = Long.valueOf(1).equals(out.get(2));
        String previewExpires = String.valueOf(out.get(3));
        if (entry.length != 5 || !entry[0].equals(sandbox.value()) || !entry[1].equals(preview.value())
                || !previewExists) {
            return Optional.empty();
        }
        try {
            TokenName name = TokenName.of(entry[2]);
            TokenValue derived = TokenValue.of(crypto.derive(sandbox, preview, name, entry[4]));
            if (!derived.matches(presented)) { // constant time
                return Optional.empty();
            }
            PreviewToken token = new PreviewToken(name, sandbox, preview, derived, Instant.parse(entry[3]));
            VerifiedCache.Entry verified = new VerifiedCache.Entry(token, previewExpires.isEmpty() ? Optional.empty()
                    : Optional.of(Instant.parse(previewExpires)), now);
            Optional<PreviewToken> valid = validAt(verified, sandbox, preview, presented, now);
            if (valid.isPresent()) {
                cache.put(epoch, hash, verified);
            }
            return valid;
        } catch (RuntimeException e) {
            return Optional.empty(); // an unreadable entry verifies nothing
        }
    }

    private static Optional<PreviewToken> validAt(VerifiedCache.Entry entry, SandboxName sandbox, PreviewName preview,
                                                  String presented, Instant now) {
        PreviewToken token = entry.token();
        boolean previewExpired = entry.previewExpires().map(e -> !e.isAfter(now)).orElse(false);
        boolean ours = token.sandbox().equals(sandbox) && token.preview().equals(preview)
                && token.value().matches(presented); // constant time
        return !ours || token.isExpiredAt(now) || previewExpired ? Optional.empty() : Optional.of(token);
    }

    // ------------------------------------------------------------------ Redis

    private List<Object> run(Scripts script, String[] scriptKeys, List<String> args) {
        String[] values = args.toArray(String[]::new);
        return timed(script.name().toLowerCase(java.util.Locale.ROOT), () -> Lua.run(redis, script, scriptKeys,
                values));
    }

    /**
     * Whether this store can serve now, for a readiness probe: Redis answers {@code PING} within the command
     * timeout, and the subscription to invalidations is up (without it {@link #verify} refuses every credential).
     * Never throws.
     */
    public Readiness.Result readiness() {
        try {
            timed("ping", redis::ping);
        } catch (SandgateException.Unavailable e) {
            return Readiness.Result.failing("the shared store (Redis) does not answer");
        }
        return cache.trusted() ? Readiness.Result.passing()
                : Readiness.Result.failing("the shared store's invalidations are not subscribed yet");
    }

    /** Reports the duration of every later round trip to {@code timer} (set it before serving). */
    public void timeCallsWith(StoreCallTimer timer) {
        this.timer = Objects.requireNonNull(timer, "timer must not be null");
    }

    private <T> T timed(String operation, java.util.function.Supplier<T> command) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = call(command);
            failed = false;
            return result;
        } finally {
            timer.record(operation, System.nanoTime() - start, failed);
        }
    }

    private static String status(List<Object> out) {
        return String.valueOf(out.get(0));
    }

    private <T> T call(java.util.function.Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            LOG.warn("the shared store at {} failed: {}", endpoint.describe(), LettuceClients.describe(e));
            throw SandgateException.Unavailable.store("the shared store (Redis) is unavailable: "
                    + LettuceClients.describe(e), e);
        }
    }

    /** Runs {@code action} with the raw commands (for the cache's subscriber and for tests). */
    void withCommands(Consumer<RedisCommands<String, String>> action) {
        action.accept(redis);
    }

    @Override
    public void close() {
        subscriber.close();
        connection.close();
        LettuceClients.shutdown(client);
    }
}
