package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.access.AccessDecision;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A session's quotas, enforced where its scopes are: the session face's access handler counts each request its token
 * makes ({@link #admit}), and the routes that hold something name it beside their scope check ({@link #exec},
 * {@link #stream}), as {@link BrokerRoutes} declares. Over a quota: 429 {@code QUOTA_EXCEEDED} naming it, with
 * {@code Retry-After} and the session's CORS headers. The limits are the session's own terms
 * ({@link SessionQuotas}) or the broker's {@link SessionQuotaDefaults}; the counts are this broker's
 * ({@link SessionQuotaLedger}). The API key is never counted.
 *
 * <p>Every slot is given back on whichever end comes first: a stream's on its end, its revocation or the client
 * going away ({@link LineStream}, and the request's end handler for any answer that never became a stream); an
 * exec's when its process exits (the broker follows the process's log to its end), or when the exec fails.
 */
final class QuotaCheck {
    private final SessionQuotaLedger ledger;
    private final SessionQuotaDefaults defaults;
    private final Clock clock;
    private final WorkerExecutor workers;

    QuotaCheck(SessionQuotaLedger ledger, SessionQuotaDefaults defaults, Clock clock, WorkerExecutor workers) {
        this.ledger = ledger;
        this.defaults = defaults;
        this.clock = clock;
        this.workers = workers;
    }

    /** The session a request was let in with, and its own terms. */
    record Terms(SessionQuotaLedger.Key key, SessionQuotas quotas) {
    }

    /** The slots a request holds, given back when it ends unless a process took its exec over. */
    static final class Held {
        private final List<SessionQuotaLedger.Slot> slots = new ArrayList<>();
        private SessionQuotaLedger.Slot exec;

        synchronized void add(SessionQuotaLedger.Slot slot, boolean isExec) {
            if (isExec) {
                exec = slot;
            } else {
                slots.add(slot);
            }
        }

        /** The exec slot, now the process's to give back (empty: none was held). */
        synchronized Optional<SessionQuotaLedger.Slot> takeExec() {
            Optional<SessionQuotaLedger.Slot> taken = Optional.ofNullable(exec);
            exec = null;
            return taken;
        }

        synchronized void releaseStreams() {
            slots.forEach(SessionQuotaLedger.Slot::release);
        }

        synchronized void releaseAll() {
            releaseStreams();
            if (exec != null) {
                exec.release();
            }
        }
    }

    /**
     * Counts a request of a session's token against its requests per second; false, with 429 answered, when over.
     * Anything else (the API key) passes uncounted.
     */
    boolean admit(RoutingContext ctx, Preview preview, AccessDecision.Grant grant) {
        if (grant.credential() != AccessDecision.Credential.TOKEN) {
            return true;
        }
        Terms terms = new Terms(new SessionQuotaLedger.Key(grant.sandbox(), grant.preview()),
                preview.spec().policy().quotas());
        RequestState.quotas(ctx, terms);
        int perSecond = defaults.limit(SessionQuotaLedger.Quota.REQUESTS_PER_SECOND, terms.quotas());
        Optional<SessionQuotaLedger.Refusal> refusal = ledger.request(terms.key(), perSecond, clock.instant());
        refusal.ifPresent(r -> refuse(ctx, r));
        return refusal.isEmpty();
    }

    /** {@code POST /process}: an exec, and a stream too when its answer is streamed. */
    Handler<RoutingContext> exec() {
        return ctx -> {
            String accept = ctx.request().getHeader("Accept");
            boolean streamed = accept != null && accept.contains("text/event-stream");
            if (hold(ctx, SessionQuotaLedger.Quota.CONCURRENT_EXECS)
                    && (!streamed || hold(ctx, SessionQuotaLedger.Quota.CONCURRENT_STREAMS))) {
                ctx.next();
            }
        };
    }

    /** A route whose answer is a stream (a log stream, a watch). */
    Handler<RoutingContext> stream() {
        return ctx -> {
            if (hold(ctx, SessionQuotaLedger.Quota.CONCURRENT_STREAMS)) {
                ctx.next();
            }
        };
    }

    /**
     * The exec's process started: its slot is given back when the process exits, which the broker learns from the end
     * of its log (at once for one that already has). Nothing to do for a request that held none.
     */
    void untilExit(RoutingContext ctx, SandboxCalls.Started started) {
        Optional<SessionQuotaLedger.Slot> slot = RequestState.held(ctx).flatMap(Held::takeExec);
        if (slot.isEmpty()) {
            return;
        }
        AtomicReference<LogSubscription> subscription = new AtomicReference<>();
        LogListener onExit = new LogListener() {
            @Override
            public void onLine(dev.sandgate.domain.LogLine line) {
                // only the end matters here
            }

            @Override
            public void onEnd() {
                exited();
            }

            @Override
            public void onError(SandgateException error) {
                exited();
            }

            private void exited() {
                slot.get().release();
                LogSubscription s = subscription.getAndSet(null);
                if (s != null) {
                    try {
                        workers.executeBlocking(() -> {
                            s.cancel();
                            return null;
                        }, false);
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        s.cancel(); // the broker is shutting down and its workers are gone: nothing waits on this
                    }
                }
            }
        };
        workers.executeBlocking(() -> started.dataPlane().streamLogs(started.info().pid(), onExit), false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        slot.get().release();
                    } else if (slot.get().released()) {
                        ar.result().cancel();
                    } else {
                        subscription.set(ar.result());
                        if (slot.get().released()) {
                            LogSubscription s = subscription.getAndSet(null);
                            if (s != null) {
                                workers.executeBlocking(() -> {
                                    s.cancel();
                                    return null;
                                }, false);
                            }
                        }
                    }
                });
    }

    private boolean hold(RoutingContext ctx, SessionQuotaLedger.Quota quota) {
        Optional<Terms> terms = RequestState.quotas(ctx);
        if (terms.isEmpty()) {
            return true;
        }
        SessionQuotaLedger.SlotOrRefusal taken = ledger.acquire(terms.get().key(), quota,
                defaults.limit(quota, terms.get().quotas()));
        if (taken.refusal().isPresent()) {
            RequestState.held(ctx).ifPresent(Held::releaseAll);
            refuse(ctx, taken.refusal().get());
            return false;
        }
        Held held = RequestState.held(ctx).orElseGet(() -> {
            Held h = new Held();
            RequestState.held(ctx, h);
            ctx.addEndHandler(v -> h.releaseAll());
            return h;
        });
        held.add(taken.slot().orElseThrow(), quota == SessionQuotaLedger.Quota.CONCURRENT_EXECS);
        return true;
    }

    private static void refuse(RoutingContext ctx, SessionQuotaLedger.Refusal refusal) {
        ctx.response().putHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        ctx.fail(new ApiError.Refusal(ApiError.quotaExceeded(refusal)));
    }
}
