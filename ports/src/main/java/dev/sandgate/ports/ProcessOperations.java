package dev.sandgate.ports;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import java.util.List;

/**
 * Processes of one sandbox. A process is addressed by its pid or by its name (the most recently started process
 * with that name); unknown identifiers give {@code NotFound}. Calls that wait ({@code exec} with
 * {@code waitForPorts} or {@code waitForCompletion}) block the calling thread.
 */
public interface ProcessOperations {
    /**
     * Starts a process. {@code Conflict} when a running process already has the name; {@code InvalidRequest}
     * ({@code UNPROCESSABLE}) when the working directory does not exist, or the process exits or the timeout
     * passes before every port in {@code waitForPorts} accepts connections.
     */
    ProcessInfo exec(ProcessSpec spec);

    /** Running and finished processes, oldest first. */
    List<ProcessInfo> listProcesses();

    ProcessInfo getProcess(String identifier);

    /**
     * SIGTERM to the process group, SIGKILL after the gateway's grace period; status {@code stopped}.
     * {@code NotFound} when the process is unknown or no longer running.
     */
    ProcessInfo stopProcess(String identifier);

    /** SIGKILL to the process group; status {@code killed}. {@code NotFound} when unknown. */
    ProcessInfo killProcess(String identifier);

    ProcessLogs logs(String identifier);

    /**
     * Streams a process's output: first what is buffered, then live lines, then {@link LogListener#onEnd()} once the
     * process exited (at once if it already had). Callbacks arrive on a gateway thread, never the caller's.
     * {@code NotFound} (thrown, not delivered) when the process is unknown.
     */
    LogSubscription streamLogs(String identifier, LogListener listener);
}
