package dev.sandgate.adapter.local.limits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The control group (one per hierarchy under cgroup v1, one under v2) that every process of one sandbox lives in,
 * and so shares the sandbox's memory, process and CPU limits with.
 *
 * <p>A process joins before it can do anything: {@link #launcher} puts a few builtins of {@code /bin/sh} in front of
 * the command line, which write the shell's own pid into each {@code cgroup.procs} and then {@code exec} the real
 * command line (so the pid, the process group and the parent the runtime holds stay the same). Nothing runs, and
 * nothing can fork, before the process is in the group; a process that cannot join does not run at all (exit code
 * {@value #JOIN_FAILED_EXIT_CODE}). The cgroup paths appear only in that shell's arguments, which the {@code exec}
 * replaces, and the shell's own error messages are discarded, so the sandbox never sees a host path.
 */
public interface SandboxCgroup {
    /** The exit code of a process that could not join its sandbox's control group. */
    int JOIN_FAILED_EXIT_CODE = 126;

    /** The joining shell; {@code $1} is the number of {@code cgroup.procs} files that follow, then the command. */
    String JOIN_SCRIPT = "n=$1; shift; while [ \"$n\" -gt 0 ]; do { echo \"$$\" >\"$1\"; } 2>/dev/null || { "
            + "echo 'sandgate: the process could not be placed in the control group of its sandbox' >&2; exit "
            + JOIN_FAILED_EXIT_CODE + "; }; shift; n=$((n - 1)); done; exec \"$@\"";

    /** The {@code cgroup.procs} files a process of the sandbox writes itself into; empty when nothing is enforced. */
    List<Path> procsFiles();

    /** Sets the memory limit (the sandbox's {@code memory}, in bytes; swap is not allowed on top). */
    void limitMemory(long bytes);

    /** How many processes of the sandbox the kernel has killed for lack of memory, since the group was made. */
    long oomKills();

    /** The CPU time the sandbox's processes have used, since the group was made; empty where it is not accounted. */
    OptionalLong cpuUsageNanos();

    /** Kills whatever still runs in the group and removes it; bounded, idempotent. */
    void remove();

    /** {@code commandLine}, started so that it runs in this group from its first instruction. */
    default List<String> launcher(List<String> commandLine) {
        Objects.requireNonNull(commandLine, "commandLine must not be null");
        List<Path> files = procsFiles();
        if (files.isEmpty()) {
            return commandLine;
        }
        List<String> line = new ArrayList<>(commandLine.size() + files.size() + 5);
        line.add("/bin/sh");
        line.add("-c");
        line.add(JOIN_SCRIPT);
        line.add("sandgate-join");
        line.add(Integer.toString(files.size()));
        files.forEach(f -> line.add(f.toString()));
        line.addAll(commandLine);
        return List.copyOf(line);
    }

    /** A group that enforces nothing: processes start as they are, and no OOM kill is ever seen. */
    static SandboxCgroup none() {
        return None.INSTANCE;
    }

    /** See {@link #none()}. */
    enum None implements SandboxCgroup {
        INSTANCE;

        @Override
        public List<Path> procsFiles() {
            return List.of();
        }

        @Override
        public void limitMemory(long bytes) {
            // nothing is enforced
        }

        @Override
        public long oomKills() {
            return 0;
        }

        @Override
        public OptionalLong cpuUsageNanos() {
            return OptionalLong.empty();
        }

        @Override
        public void remove() {
            // nothing to remove
        }
    }
}
