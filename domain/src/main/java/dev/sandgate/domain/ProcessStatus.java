package dev.sandgate.domain;

import java.util.Locale;

/**
 * The life of a process: {@code running → completed | failed | stopped | killed}. A process that was stopped or
 * killed keeps that status after it exits; a finished process never runs again (a restart keeps it
 * {@code running}).
 */
public enum ProcessStatus {
    RUNNING, COMPLETED, FAILED, STOPPED, KILLED;

    /** The lowercase name the wire protocol uses. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ProcessStatus fromWire(String wire) {
        for (ProcessStatus s : values()) {
            if (s.wireName().equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("process status '" + Names.printable(String.valueOf(wire)) + "' is unknown");
    }

    public boolean isTerminal() {
        return this != RUNNING;
    }

    /** Whether a process in this status may move to {@code next}. Staying in the same status is always allowed. */
    public boolean canBecome(ProcessStatus next) {
        return next == this || this == RUNNING;
    }

    /** The status to record once the OS process exited with {@code exitCode}: stopped and killed stay as they are. */
    public ProcessStatus afterExit(int exitCode) {
        return switch (this) {
            case RUNNING -> exitCode == 0 ? COMPLETED : FAILED;
            default -> this;
        };
    }

    /** Moves to {@code next}, or fails with a message naming both statuses. */
    public ProcessStatus transitionTo(ProcessStatus next) {
        if (!canBecome(next)) {
            throw new IllegalStateException("a " + wireName() + " process cannot become " + next.wireName());
        }
        return next;
    }
}
