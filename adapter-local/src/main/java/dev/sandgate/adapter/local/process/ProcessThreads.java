package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.SandboxName;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one sandbox's processes, all daemons named after the sandbox: the one long-lived thread every OS
 * process is spawned from (bubblewrap's {@code --die-with-parent} watches the thread that started it, so a
 * short-lived caller thread must never be that parent), the I/O threads that read output and write input, the
 * threads that call log listeners, and one timer.
 */
final class ProcessThreads {
    final ExecutorService spawner;
    final ExecutorService io;
    final ExecutorService callbacks;
    final ScheduledThreadPoolExecutor timers;

    ProcessThreads(SandboxName sandbox) {
        String prefix = "sandgate-" + sandbox.value();
        this.spawner = Executors.newSingleThreadExecutor(threads(prefix + "-spawn"));
        this.io = Executors.newCachedThreadPool(threads(prefix + "-io"));
        this.callbacks = Executors.newCachedThreadPool(threads(prefix + "-logs"));
        this.timers = new ScheduledThreadPoolExecutor(1, threads(prefix + "-timer"));
        this.timers.setRemoveOnCancelPolicy(true);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops the timers, the spawner and the I/O at once; lets log callbacks finish for up to a second. */
    void shutdown() {
        timers.shutdownNow();
        spawner.shutdownNow();
        io.shutdownNow();
        callbacks.shutdown();
        try {
            if (!callbacks.awaitTermination(1, TimeUnit.SECONDS)) {
                callbacks.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callbacks.shutdownNow();
        }
    }
}
