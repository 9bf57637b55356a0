package dev.sandgate.adapter.local.limits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's control groups, as far as the broker may use them: one group per sandbox, made under
 * {@code <the broker's own group>/sandgate-<id>/} in each hierarchy the limits need, where {@code <id>} is derived
 * from the data directory (so two brokers on one host never share a group, and a restarted broker finds its own).
 *
 * <p>cgroup v2 is used where the broker's own group offers the {@code memory}, {@code pids} and {@code cpu}
 * controllers (the host delegated them, as systemd does with {@code Delegate=yes}); else cgroup v1, where the host
 * mounts those controllers as v1 hierarchies; else nothing, which {@link #detect} says with a WARN naming each
 * limit that is then not enforced.
 */
public abstract class Cgroups {
    static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    static final long CFS_PERIOD_MICROS = 100_000;
    private static final long REMOVE_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(3);

    final String groupName;
    final int maxProcesses;
    final OptionalDouble cpus;

    Cgroups(String groupName, SandboxLimits limits) {
        this.groupName = groupName;
        this.maxProcesses = limits.maxProcesses();
        this.cpus = limits.cpus();
    }

    /**
     * Finds the broker's own groups from {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}, makes the
     * broker's {@code sandgate-<id>} groups, and says at start-up which limits are enforced and which are not.
     */
    public static Cgroups detect(String brokerId, SandboxLimits limits) {
        Objects.requireNonNull(brokerId, "brokerId must not be null");
        Objects.requireNonNull(limits, "limits must not be null");
        String self;
        String mounts;
        try {
            self = Files.readString(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8);
            mounts = Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return unavailable("/proc/self/cgroup or /proc/self/mountinfo cannot be read (" + e.getMessage() + ")");
        }
        return detect("sandgate-" + brokerId, limits, self, mounts);
    }

    /** As {@link #detect(String, SandboxLimits)}, over the given contents of the two files (for tests). */
    static Cgroups detect(String groupName, SandboxLimits limits, String procSelfCgroup, String mountinfo) {
        List<Mount> mountList = Mount.parseAll(mountinfo);
        Map<String, String> paths = ownPaths(procSelfCgroup);
        List<String> problems = new ArrayList<>();
        Optional<Path> v2 = v2Dir(paths, mountList);
        if (v2.isPresent()) {
            Optional<String> failure = CgroupsV2.usable(v2.get());
            if (failure.isEmpty()) {
                try {
                    return announce(CgroupsV2.create(v2.get(), groupName, limits));
                } catch (IOException | RuntimeException e) {
                    problems.add("cgroup v2 at " + v2.get() + " could not be used: " + message(e));
                }
            } else {
                problems.add("cgroup v2: " + failure.get());
            }
        }
        Map<String, Path> v1 = new LinkedHashMap<>();
        for (String controller : CONTROLLERS) {
            v1Dir(controller, paths, mountList).ifPresent(dir -> v1.put(controller, dir));
        }
        if (!v1.isEmpty()) {
            Optional<Path> cpuacct = v1Dir("cpuacct", paths, mountList);
            try {
                return announce(CgroupsV1.create(v1, cpuacct, groupName, limits));
            } catch (IOException | RuntimeException e) {
                problems.add("cgroup v1 could not be used: " + message(e));
            }
        } else {
            problems.add("no cgroup v1 hierarchy has the memory, pids or cpu controller");
        }
        return unavailable(String.join("; ", problems));
    }

    private static Cgroups announce(Cgroups cgroups) {
        List<String> missing = CONTROLLERS.stream().filter(c -> !cgroups.controllers().contains(c)).toList();
        if (missing.isEmpty()) {
            LOG.info("sandbox limits: {} (memory from each sandbox's spec, {} processes, {})", cgroups.describe(),
                    cgroups.maxProcesses, cgroups.cpus.isPresent() ? cgroups.cpus.getAsDouble() + " CPUs"
                            : "no CPU quota, an equal CPU share");
        } else {
            LOG.warn("SANDBOX LIMITS ARE INCOMPLETE: {} has no {} controller here, so {} not enforced",
                    cgroups.describe(), String.join(", ", missing), describeMissing(missing));
        }
        return cgroups;
    }

    private static String describeMissing(List<String> missing) {
        List<String> what = new ArrayList<>();
        if (missing.contains("memory")) {
            what.add("the sandbox's memory");
        }
        if (missing.contains("pids")) {
            what.add("the process count");
        }
        if (missing.contains("cpu")) {
            what.add("the CPU quota and share");
        }
        return String.join(" and ", what) + (what.size() == 1 ? " is" : " are");
    }

    private static Cgroups unavailable(String why) {
        LOG.warn("SANDBOX LIMITS ARE OFF: control groups cannot be used ({}): a sandbox's memory, its process count "
                + "and its CPU are not limited, and one sandbox can exhaust the host for all", why);
        return new Unavailable();
    }

    static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The controllers limits are enforced with. */
    public abstract List<String> controllers();

    /** Which cgroup version and where, for the log. */
    public abstract String describe();

    /**
     * The group of sandbox {@code name} (made, or found again and emptied of what an earlier broker left in it),
     * with its limits set: {@code memoryBytes}, and the process count and CPU quota of the settings.
     */
    public abstract SandboxCgroup create(String name, long memoryBytes);

    /** Removes the broker's own {@code sandgate-<id>} groups, once the sandboxes' groups are gone. */
    public abstract void close();

    /** Whether any limit is enforced. */
    public boolean enforced() {
        return !controllers().isEmpty();
    }

    // ------------------------------------------------------------------------------------------- files and paths

    /** controller (or "" for the v2 line) → the broker's path in that hierarchy. */
    static Map<String, String> ownPaths(String procSelfCgroup) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[1].isEmpty()) {
                out.put("", f[2]);
            } else {
                for (String c : f[1].split(",")) {
                    out.put(c, f[2]);
                }
            }
        }
        return out;
    }

    private static Optional<Path> v2Dir(Map<String, String> paths, List<Mount> mounts) {
        String path = paths.get("");
        if (path == null) {
            return Optional.empty();
        }
        return mounts.stream().filter(m -> m.type().equals("cgroup2")).findFirst().flatMap(m -> m.dirOf(path));
    }

    private static Optional<Path> v1Dir(String controller, Map<String, String> paths, List<Mount> mounts) {
        String path = paths.get(controller);
        if (path == null) {
            return Optional.empty();
        }
        return mounts.stream()
                .filter(m -> m.type().equals("cgroup") && Arrays.asList(m.superOptions().split(",")).contains(controller))
                .findFirst()
                .flatMap(m -> m.dirOf(path));
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("could not write " + value + " to " + file + ": " + message(e), e);
        }
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The value of {@code key} in a flat-keyed file such as {@code memory.events} ({@code key value} lines). */
    static long keyed(Path file, String key) {
        for (String line : read(file).orElse("").split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    static Path makeDir(Path dir) {
        try {
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("could not make control group " + dir + ": " + message(e), e);
        }
    }

    /** SIGKILLs every process in the group {@code dir} until it is empty, then removes it; bounded. */
    static void killAndRemove(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        long deadline = System.nanoTime() + REMOVE_PATIENCE_NANOS;
        while (true) {
            killAll(dir);
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.warn("control group {} could not be removed: {}", dir, message(e));
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /** SIGKILLs every process now in the group {@code dir}. */
    static void killAll(Path dir) {
        for (String pid : read(dir.resolve("cgroup.procs")).orElse("").split("\n")) {
            if (!pid.isBlank()) {
                try {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                } catch (NumberFormatException | SecurityException ignored) {
                    // not a pid, or not ours to kill
                }
            }
        }
    }

    /** A line of {@code /proc/self/mountinfo}: the root of the hierarchy it mounts and where. */
    record Mount(String root, Path mountPoint, String type, String superOptions) {
        static List<Mount> parseAll(String mountinfo) {
            List<Mount> out = new ArrayList<>();
            for (String line : mountinfo.split("\n")) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] pre = line.substring(0, dash).split(" ");
                String[] post = line.substring(dash + 3).split(" ");
                if (pre.length < 5 || post.length < 3) {
                    continue;
                }
                out.add(new Mount(unescape(pre[3]), Path.of(unescape(pre[4])), post[0], post[2]));
            }
            return out;
        }

        /** The directory of the group at {@code path} of the hierarchy, if this mount shows it. */
        Optional<Path> dirOf(String path) {
            String relative;
            if (root.equals("/")) {
                relative = path;
            } else if (path.equals(root) || path.startsWith(root + "/")) {
                relative = path.substring(root.length());
            } else {
                return Optional.empty();
            }
            String trimmed = relative.replaceAll("^/+", "");
            return Optional.of(trimmed.isEmpty() ? mountPoint : mountPoint.resolve(trimmed));
        }

        /** mountinfo writes space, tab, newline and backslash as three octal digits after a backslash. */
        static String unescape(String field) {
            StringBuilder out = new StringBuilder(field.length());
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }

    /** No control groups: nothing is enforced. */
    private static final class Unavailable extends Cgroups {
        Unavailable() {
            super("", SandboxLimits.defaults());
        }

        @Override
        public List<String> controllers() {
            return List.of();
        }

        @Override
        public String describe() {
            return "no control groups";
        }

        @Override
        public SandboxCgroup create(String name, long memoryBytes) {
            return SandboxCgroup.none();
        }

        @Override
        public void close() {
            // nothing was made
        }
    }
}
