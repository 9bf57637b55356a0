package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log stream: a replay of the buffered lines, then a bounded queue of live lines, then the end. Events are
 * delivered by drain tasks on the callback executor, one task at a time per subscriber, so calls are sequential and
 * never run on the threads reading the process's pipes. A subscriber that falls more than {@code maxLines} lines or
 * {@code maxBytes} bytes behind is ended with {@code onError(Unavailable)}.
 */
final class LogSubscriber implements LogSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(LogSubscriber.class);
    private static final int BATCH = 256;
    private static final long CANCEL_WAIT_SECONDS = 10;
    private static final Object END = new Object();

    private record Live(LogLine line, int bytes, long cursor) {
    }

    /** The process's run failed with {@code exitCode} and was started again. */
    private record Restarted(int exitCode, int restartCount) {
    }

    /** Lines after the cursor a subscriber resumed from that the buffer no longer has. */
    private record Dropped(long lines) {
    }

    private final LogListener listener;
    private final Executor executor;
    private final int maxLines;
    private final long maxBytes;
    private final Runnable release;
    private final ReentrantLock delivering = new ReentrantLock();

    // guarded by this
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private List<Object> replay = List.of();
    private int replayIndex;
    private int queuedLines;
    private long queuedBytes;
    private boolean terminalQueued;
    private boolean scheduled;
    private boolean finished;

    private volatile boolean cancelled;

    LogSubscriber(LogListener listener, Executor executor, int maxLines, long maxBytes, Runnable release) {
        this.listener = listener;
        this.executor = executor;
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
        this.release = release;
    }

    synchronized void replay(List<OutputBuffer.Sequenced> lines) {
        this.replay = List.copyOf(lines);
        this.replayIndex = 0;
    }

    /** The replay of a resumed stream: the count of lines it lost first (when any), then the lines it missed. */
    synchronized void replay(OutputBuffer.Resume resume) {
        List<Object> items = new java.util.ArrayList<>(resume.lines().size() + 1);
        if (resume.dropped() > 0) {
            items.add(new Dropped(resume.dropped()));
        }
        items.addAll(resume.lines());
        this.replay = items;
        this.replayIndex = 0;
    }

    /** Queues a live line; false when the subscriber fell behind and was ended (the caller then forgets it). */
    boolean offer(LogLine line, int bytes, long cursor) {
        synchronized (this) {
            if (terminalQueued || cancelled) {
                return false;
            }
            if (queuedLines + 1 > maxLines || queuedBytes + bytes > maxBytes) {
                queue.clear();
                queuedLines = 0;
                queuedBytes = 0;
                replay = List.of();
                queue.addLast(new SandgateException.Unavailable("log subscriber fell behind"));
                terminalQueued = true;
                scheduleLocked();
                return false;
            }
            queue.addLast(new Live(line, bytes, cursor));
            queuedLines++;
            queuedBytes += bytes;
            scheduleLocked();
            return true;
        }
    }

    /** Queues the note that the process was restarted, after the lines already queued. */
    synchronized void restarted(int exitCode, int restartCount) {
        if (terminalQueued || cancelled) {
            return;
        }
        queue.addLast(new Restarted(exitCode, restartCount));
        scheduleLocked();
    }

    /** Queues the end of the stream, after everything already queued. */
    synchronized void end() {
        if (terminalQueued) {
            return;
        }
        queue.addLast(END);
        terminalQueued = true;
        scheduleLocked();
    }

    /** Starts delivering what is queued (the replay, at least). */
    synchronized void start() {
        scheduleLocked();
    }

    private void scheduleLocked() {
        if (scheduled || finished || cancelled) {
            return;
        }
        scheduled = true;
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            scheduled = false;
            finished = true;
        }
    }

    private Object next() {
        synchronized (this) {
            if (cancelled || finished) {
                scheduled = false;
                return null;
            }
            if (replayIndex < replay.size()) {
                return replay.get(replayIndex++);
            }
            replay = List.of();
            Object event = queue.pollFirst();
            if (event == null) {
                scheduled = false;
                return null;
            }
            if (event instanceof Live live) {
                queuedLines--;
                queuedBytes -= live.bytes();
                return new OutputBuffer.Sequenced(live.line(), live.cursor());
            }
            return event;
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Object event = next();
            if (event == null) {
                return;
            }
            boolean terminal = event == END || event instanceof SandgateException;
            delivering.lock();
            try {
                if (cancelled) {
                    return;
                }
                if (event == END) {
                    listener.onEnd();
                } else if (event instanceof SandgateException error) {
                    listener.onError(error);
                } else if (event instanceof Dropped d) {
                    listener.onDropped(d.lines());
                } else if (event instanceof Restarted r) {
                    listener.onRestarted(r.exitCode(), r.restartCount());
                } else {
                    OutputBuffer.Sequenced line = (OutputBuffer.Sequenced) event;
                    listener.onLine(line.line(), line.cursor());
                }
            } catch (RuntimeException e) {
                LOG.warn("a log listener failed; cancelling its subscription", e);
                terminal = true;
            } finally {
                delivering.unlock();
            }
            if (terminal) {
                synchronized (this) {
                    finished = true;
                    scheduled = false;
                    queue.clear();
                }
                release.run();
                return;
            }
        }
        synchronized (this) {
            scheduled = false;
            scheduleLocked();
        }
    }

    /**
     * Releases the subscription; once it returns no callback is running or will run (unless called from one, or a
     * callback has been stuck for over {@value #CANCEL_WAIT_SECONDS} s).
     */
    @Override
    public void cancel() {
        cancelled = true;
        try {
            // wait for a callback in progress; a listener stuck far longer than its contract allows is given up on
            if (delivering.tryLock(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                delivering.unlock();
            } else {
                LOG.warn("a log listener has been inside a callback for over {} s; cancelling without waiting for it",
                        CANCEL_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            queue.clear();
            replay = List.of();
            finished = true;
        }
        release.run();
    }
}
