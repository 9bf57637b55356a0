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

    /**
     * {@code kill -SIGNAL -- -pgid}; a group that no longer exists is not an error. Sent by a long-lived shell whose
     * {@code kill} is a builtin, so that a signal costs a line on a pipe instead of spawning a program (which costs
     * as much as the process being signalled); returns once the shell has sent it. (dash's builtin takes no
     * {@code --}: {@code kill -KILL -<pgid>}.) Falls back to the {@code kill} program when that shell is unavailable.
     */
    static void group(long pgid, String signal) {
        if (!signal.matches("[A-Z]{3,5}")) {
            throw new IllegalArgumentException("signal '" + signal + "' is not a signal name");
        }
        if (!SignalShell.INSTANCE.send(pgid, signal)) {
            spawnKill(pgid, signal);
        }
    }

    private static void spawnKill(long pgid, String signal) {
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

    /** One {@code sh} per JVM that reads {@code kill} lines and answers each with {@code ok}; restarted if it dies. */
    private static final class SignalShell {
        static final SignalShell INSTANCE = new SignalShell();
        private Process shell;
        private java.io.Writer in;
        private java.io.BufferedReader out;

        synchronized boolean send(long pgid, String signal) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    if (shell == null || !shell.isAlive()) {
                        start();
                    }
                    in.write("kill -" + signal + " -" + pgid + " 2>/dev/null; echo ok\n");
                    in.flush();
                    String answer = out.readLine();
                    if ("ok".equals(answer)) {
                        return true;
                    }
                } catch (IOException e) {
                    LOG.debug("signal shell failed: {}", e.getMessage());
                }
                stop();
            }
            return false;
        }

        private void start() throws IOException {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh");
            pb.environment().clear();
            pb.environment().put("PATH", Isolation.PATH);
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            shell = pb.start();
            in = new java.io.OutputStreamWriter(shell.getOutputStream(), java.nio.charset.StandardCharsets.US_ASCII);
            out = new java.io.BufferedReader(new java.io.InputStreamReader(shell.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
        }

        private void stop() {
            if (shell != null) {
                shell.destroyForcibly();
                shell = null;
            }
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
