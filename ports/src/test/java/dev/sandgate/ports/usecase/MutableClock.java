package dev.sandgate.ports.usecase;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand; optionally it also advances by {@code tick} each time it is read. */
final class MutableClock extends Clock {
    private Instant now;
    private final Duration tick;

    MutableClock(Instant start) {
        this(start, Duration.ZERO);
    }

    MutableClock(Instant start, Duration tick) {
        this.now = start;
        this.tick = tick;
    }

    synchronized void set(Instant instant) {
        now = instant;
    }

    synchronized void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public synchronized Instant instant() {
        Instant read = now;
        now = now.plus(tick);
        return read;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
    }
}
