package dev.sandgate.adapter.local.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Control groups v1: one hierarchy per controller ({@code memory}, {@code pids}, {@code cpu}; {@code cpuacct} too,
 * when mounted, to account CPU time), so a sandbox's group is one directory in each, and a process joins all of
 * them.
 * <ul>
 * <li>memory: {@code memory.limit_in_bytes}, and {@code memory.memsw.limit_in_bytes} equal to it where swap is
 * accounted (so swap adds nothing); an OOM kill counts in {@code memory.oom_control}'s {@code oom_kill};</li>
 * <li>pids: {@code pids.max};</li>
 * <li>cpu: {@code cpu.cfs_quota_us} over {@code cpu.cfs_period_us} (100 ms), or no quota.</li>
 * </ul>
 */
final class CgroupsV1 extends Cgroups {
    /** controller → the broker's {@code sandgate-<id>} group in that hierarchy. */
    private final Map<String, Path> bases;
    private final Optional<Path> cpuacctBase;

    private CgroupsV1(Map<String, Path> bases, Optional<Path> cpuacctBase, String groupName, SandboxLimits limits) {
        super(groupName, limits);
        this.bases = Collections.unmodifiableMap(new LinkedHashMap<>(bases));
        this.cpuacctBase = cpuacctBase;
    }

    /** Makes the broker's groups under its own group of each hierarchy in {@code own} (controller → directory). */
    static CgroupsV1 create(Map<String, Path> own, Optional<Path> cpuacctOwn, String groupName, SandboxLimits limits)
            throws IOException {
        Map<String, Path> bases = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : own.entrySet()) {
            if (!Files.isDirectory(e.getValue())) {
                throw new IOException("the " + e.getKey() + " hierarchy has no directory " + e.getValue());
            }
            bases.put(e.getKey(), makeDir(e.getValue().resolve(groupName)));
        }
        Optional<Path> cpuacct = cpuacctOwn.filter(Files::isDirectory).map(d -> makeDir(d.resolve(groupName)));
        return new CgroupsV1(bases, cpuacct, groupName, limits);
    }

    @Override
    public List<String> controllers() {
        return CONTROLLERS.stream().filter(bases::containsKey).toList();
    }

    @Override
    public String describe() {
        return "cgroup v1 (" + String.join(", ", controllers()) + ")";
    }

    @Override
    public SandboxCgroup create(String name, long memoryBytes) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        bases.forEach((controller, base) -> dirs.put(controller, base.resolve(name)));
        Optional<Path> cpuacct = cpuacctBase.map(b -> b.resolve(name));
        LinkedHashSet<Path> all = new LinkedHashSet<>(dirs.values());
        cpuacct.ifPresent(all::add);
        for (Path dir : all) {
            if (Files.isDirectory(dir)) {
                killAll(dir); // left by an earlier broker that did not get to remove it
            }
            makeDir(dir);
        }
        Group group = new Group(dirs, cpuacct, List.copyOf(all));
        group.limitMemory(memoryBytes);
        Path pids = dirs.get("pids");
        if (pids != null) {
            write(pids.resolve("pids.max"), Integer.toString(maxProcesses));
        }
        Path cpu = dirs.get("cpu");
        if (cpu != null) {
            write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_MICROS));
            write(cpu.resolve("cpu.cfs_quota_us"), cpus.isPresent()
                    ? Long.toString(Math.max(1000, Math.round(cpus.getAsDouble() * CFS_PERIOD_MICROS))) : "-1");
        }
        return group;
    }

    @Override
    public void close() {
        List<Path> all = new ArrayList<>(bases.values());
        cpuacctBase.ifPresent(all::add);
        for (Path base : new LinkedHashSet<>(all)) {
            try {
                Files.deleteIfExists(base);
            } catch (IOException e) {
                LOG.debug("control group {} stays: {}", base, e.getMessage());
            }
        }
    }

    private static final class Group implements SandboxCgroup {
        private final Map<String, Path> dirs;
        private final Optional<Path> cpuacct;
        private final List<Path> all;

        Group(Map<String, Path> dirs, Optional<Path> cpuacct, List<Path> all) {
            this.dirs = dirs;
            this.cpuacct = cpuacct;
            this.all = all;
        }

        @Override
        public List<Path> procsFiles() {
            return all.stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        @Override
        public void limitMemory(long bytes) {
            Path memory = dirs.get("memory");
            if (memory == null) {
                return;
            }
            Path limit = memory.resolve("memory.limit_in_bytes");
            Path withSwap = memory.resolve("memory.memsw.limit_in_bytes");
            String value = Long.toString(bytes);
            if (!Files.exists(withSwap)) {
                write(limit, value);
                return;
            }
            try {
                write(limit, value); // lowering: the memory limit first, it may not exceed memory+swap
                write(withSwap, value);
            } catch (IllegalStateException raising) {
                write(withSwap, value);
                write(limit, value);
            }
        }

        @Override
        public long oomKills() {
            Path memory = dirs.get("memory");
            return memory == null ? 0 : keyed(memory.resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public OptionalLong cpuUsageNanos() {
            if (cpuacct.isEmpty()) {
                return OptionalLong.empty();
            }
            try {
                return read(cpuacct.get().resolve("cpuacct.usage"))
                        .map(s -> OptionalLong.of(Long.parseLong(s.trim()))).orElse(OptionalLong.empty());
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public void remove() {
            all.forEach(Cgroups::killAndRemove);
        }

        @Override
        public String toString() {
            return "cgroup v1 group " + all;
        }
    }
}
