package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.access.AccessDecision;
import dev.sandgate.ports.access.AccessDecision.Grant;
import dev.sandgate.ports.access.AccessDecision.Standing;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What is open on a credential: every log stream, watch stream, streamed exec and WebSocket tunnel opened with a
 * session or preview token (or through a public preview) registers its {@link Grant} here. Every
 * {@code interval} the distinct grants are judged again by {@link AccessDecision#standing} on a worker thread, and
 * whatever was opened on one that lapsed (deleted, expired, its preview or sandbox gone) is told why, once, so it
 * ends within one interval plus one check. The API key's grants are not watched: that key never lapses.
 */
final class OpenGrants implements AutoCloseable {
    /** What a registration gives back: call it when the stream or tunnel ends by itself. */
    interface Registration {
        void cancel();
    }

    private static final Registration NOTHING = () -> {
    };

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final AccessDecision decision;
    private final Clock clock;
    private final Map<Object, Watch> open = new ConcurrentHashMap<>();
    private final AtomicBoolean checking = new AtomicBoolean();
    private final long timer;

    private record Watch(Grant grant, Consumer<Standing> onLapse) {
    }

    OpenGrants(Vertx vertx, WorkerExecutor workers, AccessDecision decision, Clock clock, Duration interval) {
        this.vertx = vertx;
        this.workers = workers;
        this.decision = decision;
        this.clock = clock;
        this.timer = vertx.setPeriodic(interval.toMillis(), id -> check());
    }

    /**
     * Watches {@code grant}; {@code onLapse} runs once (on a worker thread: move to your own context) when it lapses.
     */
    Registration watch(Grant grant, Consumer<Standing> onLapse) {
        if (grant.credential() == AccessDecision.Credential.API_KEY) {
            return NOTHING;
        }
        Object key = new Object();
        open.put(key, new Watch(grant, onLapse));
        return () -> open.remove(key);
    }

    /** How many streams and tunnels are open on a watched credential. */
    int size() {
        return open.size();
    }

    private void check() {
        if (open.isEmpty() || !checking.compareAndSet(false, true)) {
            return;
        }
        workers.executeBlocking(() -> {
            var now = clock.instant();
            Set<Grant> distinct = new HashSet<>();
            open.values().forEach(w -> distinct.add(w.grant()));
            Map<Grant, Standing> lapsed = new HashMap<>();
            for (Grant grant : distinct) {
                Standing standing = decision.standing(grant, now);
                if (standing != Standing.VALID) {
                    lapsed.put(grant, standing);
                }
            }
            for (var entry : List.copyOf(open.entrySet())) {
                Standing standing = lapsed.get(entry.getValue().grant());
                if (standing != null && open.remove(entry.getKey()) != null) {
                    entry.getValue().onLapse().accept(standing);
                }
            }
            return null;
        }, false).onComplete(ar -> checking.set(false));
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        open.clear();
    }
}
