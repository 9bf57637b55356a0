package dev.sandgate.adapter.local.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Control groups v2: one hierarchy, so a sandbox's group is one directory {@code <own>/sandgate-<id>/<sandbox>}.
 * <ul>
 * <li>memory: {@code memory.max}, and {@code memory.swap.max} 0; an OOM kill counts in {@code memory.events}'
 * {@code oom_kill};</li>
 * <li>pids: {@code pids.max};</li>
 * <li>cpu: {@code cpu.max} ({@code <quota> 100000}, or {@code max}); CPU time from {@code cpu.stat}'s
 * {@code usage_usec}.</li>
 * </ul>
 * A v2 group that holds processes cannot hand controllers to its children (the "no internal processes" rule), and the
 * broker itself lives in its own group: when enabling the controllers there fails, the broker moves itself into a
 * leaf {@code <own>/sandgate-broker} first, as systemd's delegation documentation asks of a delegated service.
 */
final class CgroupsV2 extends Cgroups {
    private static final String ENABLE = "+memory +pids +cpu";
    private final Path base;

    private CgroupsV2(Path base, String groupName, SandboxLimits limits) {
        super(groupName, limits);
        this.base = base;
    }

    /** Why the broker's own v2 group {@code own} cannot be used, if it cannot. */
    static Optional<String> usable(Path own) {
        Optional<String> offered = read(own.resolve("cgroup.controllers"));
        if (offered.isEmpty()) {
            return Optional.of("the broker's group " + own + " cannot be read");
        }
        List<String> have = Arrays.asList(offered.get().trim().split("\\s+"));
        List<String> missing = CONTROLLERS.stream().filter(c -> !have.contains(c)).toList();
        if (!missing.isEmpty()) {
            return Optional.of("the broker's group " + own + " is not delegated the " + String.join(", ", missing)
                    + " controller(s)");
        }
        return Optional.empty();
    }

    static CgroupsV2 create(Path own, String groupName, SandboxLimits limits) throws IOException {
        if (!enabled(own)) {
            try {
                write(own.resolve("cgroup.subtree_control"), ENABLE);
            } catch (IllegalStateException busy) {
                Path leaf = makeDir(own.resolve("sandgate-broker"));
                write(leaf.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
                LOG.info("moved the broker into control group {} so that its sandboxes' groups get controllers",
                        leaf);
                write(own.resolve("cgroup.subtree_control"), ENABLE);
            }
        }
        Path base = makeDir(own.resolve(groupName));
        write(base.resolve("cgroup.subtree_control"), ENABLE);
        return new CgroupsV2(base, groupName, limits);
    }

    private static boolean enabled(Path dir) {
        List<String> on = Arrays.asList(read(dir.resolve("cgroup.subtree_control")).orElse("").trim().split("\\s+"));
        return on.containsAll(CONTROLLERS);
    }

    @Override
    public List<String> controllers() {
        return CONTROLLERS;
    }

    @Override
    public String describe() {
        return "cgroup v2 (" + String.join(", ", CONTROLLERS) + ")";
    }

    @Override
    public SandboxCgroup create(String name, long memoryBytes) {
        Path dir = base.resolve(name);
        if (Files.isDirectory(dir)) {
            killAll(dir); // left by an earlier broker that did not get to remove it
        }
        makeDir(dir);
        Group group = new Group(dir);
        group.limitMemory(memoryBytes);
        write(dir.resolve("pids.max"), Integer.toString(maxProcesses));
        write(dir.resolve("cpu.max"), (cpus.isPresent()
                ? Long.toString(Math.max(1000, Math.round(cpus.getAsDouble() * CFS_PERIOD_MICROS))) : "max")
                + " " + CFS_PERIOD_MICROS);
        return group;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(base);
        } catch (IOException e) {
            LOG.debug("control group {} stays: {}", base, e.getMessage());
        }
    }

    private static final class Group implements SandboxCgroup {
        private final Path dir;

        Group(Path dir) {
            this.dir = dir;
        }

        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public void limitMemory(long bytes) {
            write(dir.resolve("memory.max"), Long.toString(bytes));
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                write(swap, "0");
            }
        }

        @Override
        public long oomKills() {
            return keyed(dir.resolve("memory.events"), "oom_kill");
        }

        @Override
        public OptionalLong cpuUsageNanos() {
            Path stat = dir.resolve("cpu.stat");
            return Files.exists(stat) ? OptionalLong.of(keyed(stat, "usage_usec") * 1000) : OptionalLong.empty();
        }

        @Override
        public void remove() {
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                try {
                    write(kill, "1");
                } catch (IllegalStateException e) {
                    LOG.debug("{}: {}", kill, e.getMessage());
                }
            }
            killAndRemove(dir);
        }

        @Override
        public String toString() {
            return "cgroup v2 group " + dir;
        }
    }
}
