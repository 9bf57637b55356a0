package dev.sandgate.adapter.local.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends signals to process groups (with the {@code kill} program) and to process trees (with ProcessHandle). */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);
    private static final String KILL = Isolation.findExecutable("kill").orElse("kill");

    private Signals() {
    }

    /** {@code kill -SIGNAL -- -pgid}; a group that no longer exists is not an error. */
    static void group(long pgid, String signal) {
        ProcessBuilder pb = new ProcessBuilder(KILL, "-" + signal, "--", "-" + pgid);
        pb.environment().clear();
        pb.environment().put("PATH", Isolation.PATH);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("kill -{} of process group {} did not finish in time", signal, pgid);
            }
        } catch (IOException e) {
            LOG.warn("could not signal process group {} with {}: {}", pgid, signal, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The live descendants of {@code process}; taken before signalling the leader, since orphans get reparented. */
    static List<ProcessHandle> descendants(ProcessHandle process) {
        return process.descendants().toList();
    }

    /** The descendants that left the process group {@code pgid} (they called setsid or setpgid). */
    static List<ProcessHandle> outsideGroup(List<ProcessHandle> handles, long pgid) {
        return handles.stream().filter(h -> processGroup(h.pid()) != pgid).toList();
    }

    /** The process group of {@code pid} from {@code /proc/<pid>/stat}, or -1 when it cannot be read. */
    static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // after "pid (comm) ", the fields are: state ppid pgrp ...; comm may hold spaces and parentheses
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void terminate(List<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            h.destroy();
        }
    }

    static void kill(List<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            h.destroyForcibly();
        }
    }
}
