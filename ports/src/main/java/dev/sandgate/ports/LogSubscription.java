package dev.sandgate.ports;

/**
 * A live stream: a process's log, or a directory's changes. {@link #cancel()} releases it; no callback arrives after
 * it returns. Idempotent.
 */
@FunctionalInterface
public interface LogSubscription extends AutoCloseable {
    void cancel();

    @Override
    default void close() {
        cancel();
    }
}
