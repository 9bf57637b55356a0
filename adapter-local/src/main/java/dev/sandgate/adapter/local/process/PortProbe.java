package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.SandgateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code waitForPorts}: polls the ports of a process in the sandbox's network every {@value #PORT_POLL_MILLIS} ms
 * on the sandbox's timer, so that a wait holds no thread.
 */
final class PortProbe {
    static final long PORT_POLL_MILLIS = 50;

    private final NetworkNamespace network;
    private final ScheduledExecutorService timers;
    private final Supplier<? extends RuntimeException> closed;

    PortProbe(NetworkNamespace network, ScheduledExecutorService timers, Supplier<? extends RuntimeException> closed) {
        this.network = network;
        this.timers = timers;
        this.closed = closed;
    }

    /** Completes once every port accepts connections; fails when the process exits or the limit passes first. */
    CompletableFuture<Void> awaitPorts(ManagedProcess rec, List<Port> ports, Optional<Duration> limit) {
        long deadline = limit.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        Set<Port> open = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable check = () -> {
            if (done.isDone()) {
                return;
            }
            for (Port port : ports) {
                if (!open.contains(port) && network.accepts(port)) {
                    open.add(port);
                }
            }
            if (open.size() == ports.size()) {
                done.complete(null);
            } else if (rec.hasFinished()) {
                ProcessInfo info = rec.info();
                done.completeExceptionally(SandgateException.InvalidRequest.unprocessable("process exited with code "
                        + info.exitCode().map(String::valueOf).orElse("?") + " before ports " + ports
                        + " accepted connections"));
            } else if (limit.isPresent() && System.nanoTime() - deadline >= 0) {
                done.completeExceptionally(SandgateException.InvalidRequest.unprocessable("process timed out "
                        + "waiting for ports after " + seconds(limit.get()) + " seconds"));
            }
        };
        try {
            ScheduledFuture<?> polling = timers.scheduleWithFixedDelay(check, 0, PORT_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
            done.whenComplete((v, t) -> polling.cancel(false));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(closed.get());
        }
        return done;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }
}
