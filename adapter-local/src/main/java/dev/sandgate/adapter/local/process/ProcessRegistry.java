package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.SandgateException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The process records of one sandbox, in start order: found by identifier (the OS pid of a record's first run) or
 * by name (the most recently started record with it); a name is unique among running records. At most
 * {@code retainedFinished} ended records are kept, the oldest dropped first. Once closed, nothing is registered.
 */
final class ProcessRegistry {
    private final int retainedFinished;
    private final Supplier<SandgateException> closedError;
    // guarded by this; insertion order is start order
    private final LinkedHashMap<String, ManagedProcess> records = new LinkedHashMap<>();
    private volatile boolean closed;
    private int idCollisions;

    ProcessRegistry(int retainedFinished, Supplier<SandgateException> closedError) {
        this.retainedFinished = retainedFinished;
        this.closedError = closedError;
    }

    /**
     * Starts a process and files its record, all under the registry's lock: {@code Conflict} when a running record
     * has {@code name}, {@code Unavailable} once closed. {@code start} gives the OS process; {@code record} makes its
     * record from the identifier given to its pid.
     */
    synchronized ManagedProcess register(ProcessName name, Supplier<Process> start,
                                         BiFunction<String, Process, ManagedProcess> record) {
        if (closed) {
            throw closedError.get();
        }
        for (ManagedProcess other : records.values()) {
            ProcessInfo info = other.info();
            if (info.isRunning() && info.name().equals(name)) {
                throw new SandgateException.Conflict("process with name '" + name + "' already exists and is "
                        + "running");
            }
        }
        Process process = start.get();
        String id = idFor(process.pid());
        ManagedProcess rec = record.apply(id, process);
        records.put(id, rec);
        return rec;
    }

    private String idFor(long pid) {
        String id = Long.toString(pid);
        ManagedProcess existing = records.get(id);
        if (existing == null) {
            return id;
        }
        if (existing.isEnded()) {
            records.remove(id);
            return id;
        }
        // the OS reused the pid of a process whose record still runs under it (after a restart)
        return id + "-" + (++idCollisions);
    }

    /** The record of that identifier, else the latest of that name; {@code NotFound} otherwise. */
    ManagedProcess find(String identifier) {
        Objects.requireNonNull(identifier, "identifier must not be null");
        synchronized (this) {
            ManagedProcess byId = records.get(identifier);
            if (byId != null) {
                return byId;
            }
            List<ManagedProcess> all = new ArrayList<>(records.values());
            for (int i = all.size() - 1; i >= 0; i--) {
                if (all.get(i).info().name().value().equals(identifier)) {
                    return all.get(i);
                }
            }
        }
        throw new SandgateException.NotFound("process not found");
    }

    /** Every record, in start order. */
    synchronized List<ManagedProcess> all() {
        return List.copyOf(records.values());
    }

    /** Drops the oldest ended records beyond the number retained. */
    synchronized void prune() {
        long ended = records.values().stream().filter(ManagedProcess::isEnded).count();
        for (Iterator<ManagedProcess> it = records.values().iterator();
             ended > retainedFinished && it.hasNext(); ) {
            if (it.next().isEnded()) {
                it.remove();
                ended--;
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Refuses registrations from now on; false when it was closed already. */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }
}
