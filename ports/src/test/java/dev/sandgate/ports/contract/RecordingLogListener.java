package dev.sandgate.ports.contract;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A {@link LogListener} that remembers everything it was told, and on which threads. */
public final class RecordingLogListener implements LogListener {
    private final List<LogLine> lines = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicReference<SandgateException> error = new AtomicReference<>();
    private volatile boolean ended;

    @Override
    public void onLine(LogLine line) {
        threads.add(Thread.currentThread());
        lines.add(line);
    }

    @Override
    public void onEnd() {
        threads.add(Thread.currentThread());
        ended = true;
    }

    @Override
    public void onError(SandgateException e) {
        threads.add(Thread.currentThread());
        error.set(e);
    }

    public List<LogLine> lines() {
        return List.copyOf(lines);
    }

    public boolean ended() {
        return ended;
    }

    public boolean failed() {
        return error.get() != null;
    }

    public SandgateException error() {
        return error.get();
    }

    /** The threads the callbacks arrived on, in order. */
    public List<Thread> threads() {
        return List.copyOf(threads);
    }
}
