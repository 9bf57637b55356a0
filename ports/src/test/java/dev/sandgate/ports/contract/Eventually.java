package dev.sandgate.ports.contract;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes. The tests' replacement for sleeping. */
public final class Eventually {
    private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

    private Eventually() {
    }

    /** Returns once {@code condition} is true; fails with an {@link AssertionError} when {@code timeout} passes first. */
    public static void await(Duration timeout, Supplier<Boolean> condition) {
        await("condition", timeout, condition);
    }

    /** As {@link #await(Duration, Supplier)}, naming what was awaited in the failure message. */
    public static void await(String what, Duration timeout, Supplier<Boolean> condition) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        Objects.requireNonNull(condition, "condition must not be null");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(condition.get())) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(what + " did not hold within " + timeout);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
