package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a sandbox process is started: the host-side launcher around {@code sh -c <command>}, its environment, and how
 * the request's environment reaches the process without reaching the launcher.
 *
 * <p>Every process is started as {@code setsid -w ...}, so the OS process the runtime holds is the leader of a new
 * session and process group: signalling the group ({@code kill -SIG -- -pid}) reaches everything it started that did
 * not leave the group.
 *
 * <h2>The launcher runs on the host, so nothing of the request steers it</h2>
 * The programs that run on the host before the isolation is in place ({@code setsid}, the shell that opens
 * bubblewrap's arguments, bubblewrap itself) are the broker's, running as the broker's user. A request's
 * {@code env} is chosen by whoever holds a session, and a dynamic loader, a shell or glibc follow several variables
 * ({@code LD_PRELOAD}, {@code LD_LIBRARY_PATH}, {@code GCONV_PATH}, {@code BASH_ENV}, {@code ENV}, {@code IFS},
 * {@code PATH}, ...): one of them in the launcher's environment would run a library the session uploaded on the host.
 * So the launcher's environment is {@link #launcherEnvironment() fixed} (the system {@code PATH}, nothing else), its
 * program paths are absolute, and the process's own environment ({@link #environment(Map)}: the minimal one with the
 * request's over it) is handed over in a way no host-side program interprets:
 * <ul>
 * <li><b>bubblewrap</b>: {@code --clearenv} and one {@code --setenv NAME VALUE} per variable, among bubblewrap's
 * arguments; bubblewrap sets them only for the command it starts inside the namespaces, and starts it by its absolute
 * path ({@code /bin/sh}).</li>
 * <li><b>none</b>: {@code /bin/sh -c <prelude> /bin/sh <file> <command>}. The shell starts with the fixed
 * environment, sources the hand-over file, which {@code export}s each variable with the shell's builtins (values
 * single-quoted, so nothing in them is run or expanded; see {@link WarmShell#exports(Map)}), and then {@code eval}s
 * the command. No program is started between the launch and the command, not even {@code env} (which would itself
 * be started with the variables), so an {@code LD_PRELOAD} is in force only for the programs the command starts,
 * which without isolation are the host's anyway.</li>
 * <li><b>a warm shell</b> ({@link WarmShell}) is started like any process with the minimal environment only; the
 * request's variables are exported by builtins from its hand-over pipe.</li>
 * </ul>
 * The hand-over files live in a private directory of the broker ({@link Launch#handOverDirectory()}, mode 0700, outside every
 * sandbox) and are removed when their process exits. The launcher's working directory is {@code /} under bubblewrap
 * (the process gets its own with {@code --chdir}), so that neither a relative name nor the {@code PWD} that the shell
 * exports to bubblewrap refers to a directory the sandbox controls.
 *
 * <h2>{@code none}</h2>
 * {@code sh -c <command>} runs directly in the sandbox directory on the host, as the broker's user, with the broker's
 * view of the file system. Sandbox paths in commands ({@code cd /app}) mean host paths. Nothing is confined; the
 * runtime says so with a WARN at start-up, and the broker refuses sessions unless the operator allows them.
 * {@code HOME} is {@code /} as under bubblewrap (the sandbox's root as sandbox paths name it; without isolation that is
 * the host's root, where a program writing to its home directory usually may not write: give {@code HOME} in the
 * request's {@code env} where one needs it), so that no variable names the data directory; the working directory is a
 * host path by definition ({@code pwd}, and so {@code PWD}, answer it).
 *
 * <h2>{@code bwrap} (bubblewrap)</h2>
 * The process runs in new PID, IPC and UTS namespaces (and a user namespace where the kernel allows it) with every
 * capability dropped, in its sandbox's own network namespace when {@link SandboxNetwork} wraps the command line.
 * <b>Mapping: the sandbox root directory is the process's {@code /}.</b> A sandbox path {@code /app} is the process's
 * {@code /app}, and files the process writes anywhere outside the system directories land in the sandbox directory,
 * where the files API sees them (including {@code /tmp}, which is the sandbox's own {@code tmp} directory rather than a
 * throw-away tmpfs, so that a {@code workingDir} of {@code /tmp/x} means the same thing to both). On top of that root:
 * <ul>
 * <li>{@code /usr} read-only from the host; {@code /bin}, {@code /sbin}, {@code /lib*} as the host has them (the same
 * relative symlinks into {@code usr} on a merged-/usr system, read-only binds otherwise);</li>
 * <li>{@code /etc} a read-only tmpfs holding only what programs need to run (passwd, group, hosts, resolv.conf,
 * nsswitch.conf, ld.so.*, alternatives, certificates, time zone), never shadow files or the broker's
 * configuration;</li>
 * <li>{@code /proc} for the new PID namespace (the process sees only its own processes) and a minimal {@code /dev}.</li>
 * </ul>
 * Nothing else of the host is visible: not the data directory, not other sandboxes, not {@code $HOME}. Bubblewrap reads
 * its arguments from a descriptor ({@code --args 3}, {@link #bwrapArgs}): its PID 1 inside the namespace is a copy of
 * it, so its command line ({@code /proc/1/cmdline}) would otherwise show {@code --bind <data-dir>/sandboxes/...}; it is
 * {@code bwrap --args 3 /bin/sh -c <command>}. (The kernel's {@code /proc/self/mountinfo} still names the host
 * directory that is mounted at {@code /}: bubblewrap cannot hide a bind mount's source.) The names
 * {@code usr etc proc dev bin sbin lib lib32 lib64 libx32} at the top of a sandbox are therefore reserved: the runtime
 * creates them (empty mount points or the symlinks above) and refuses to start a process when one of them is
 * something else, such as a symlink pointing elsewhere. {@code --die-with-parent} ties the sandbox to the broker: if the
 * JVM dies, bubblewrap's PID namespace dies with it. Because bubblewrap's init is PID 1 of the namespace, the group
 * kill of the leader (bubblewrap itself) kills everything inside, even processes that called {@code setsid}.
 *
 * <p>The two modes' launch and the probe belong together, each being the other's reference; what the sandbox's
 * directory must hold to be bubblewrap's root is {@link BwrapRoot}'s.
 */
public final class Isolation {
    private static final Logger LOG = LoggerFactory.getLogger(Isolation.class);

    static final List<String> PATH_DIRS =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
    static final String PATH = String.join(":", PATH_DIRS);
    static final String SHELL = "/bin/sh";
    /** The launcher's {@code PATH}: the system directories, nothing a user installs. */
    static final String LAUNCHER_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
    /**
     * Runs on the host under bubblewrap, with the fixed environment: opens the hand-over file ({@code $1}) on
     * descriptor 3, where {@code bwrap --args 3} reads its arguments (and closes it), and becomes bubblewrap.
     */
    static final String BWRAP_WRAPPER = "exec 3<\"$1\" && shift && exec \"$@\"";
    /**
     * Runs on the host without isolation, with the fixed environment: keeps what {@code sh} knows at start-up, sources
     * the hand-over file ({@code $1}, see {@link WarmShell#exports(Map)}), forgets its own arguments and evaluates the
     * command ({@code $2}) as {@code sh -c} would run it.
     */
    static final String UNCONFINED_PRELUDE = "__sg_ppid=$PPID __sg_pwd=$PWD; . \"$1\"; eval \"set --; $2\"";
    private static final List<String> ETC_ENTRIES = List.of("passwd", "group", "hosts", "host.conf", "resolv.conf",
            "nsswitch.conf", "gai.conf", "protocols", "services", "localtime", "timezone", "ld.so.cache", "ld.so.conf",
            "ld.so.conf.d", "alternatives", "ssl", "ca-certificates", "ca-certificates.conf", "mime.types",
            "os-release", "debian_version");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    private final IsolationMode inForce;
    private final Optional<String> setsid;
    private final String bwrap;
    private final List<String> namespaceFlags;
    /** Host system directories outside /usr: name → relative symlink target, or empty for a real directory. */
    private final Map<String, Optional<String>> systemDirs;

    private Isolation(IsolationMode inForce, Optional<String> setsid, String bwrap, List<String> namespaceFlags,
                      Map<String, Optional<String>> systemDirs) {
        this.inForce = inForce;
        this.setsid = setsid;
        this.bwrap = bwrap;
        this.namespaceFlags = List.copyOf(namespaceFlags);
        this.systemDirs = Collections.unmodifiableMap(new LinkedHashMap<>(systemDirs));
    }

    /**
     * Decides the isolation in force. {@code BWRAP} probes bubblewrap with the real flags and fails with
     * {@link IllegalStateException} when it is missing or does not work here; {@code AUTO} falls back to {@code NONE}
     * with a WARN; {@code NONE} also WARNs, since processes then run unconfined.
     */
    public static Isolation resolve(IsolationMode requested) {
        Objects.requireNonNull(requested, "requested isolation must not be null");
        Optional<String> setsid = findExecutable("setsid");
        if (setsid.isEmpty()) {
            LOG.warn("setsid (util-linux) was not found on {}: processes will not get their own process group, and "
                    + "stop/kill will reach only the descendants still attached to them", PATH);
        }
        if (requested == IsolationMode.NONE) {
            warnUnconfined("isolation is set to 'none'");
            return none(setsid);
        }
        Optional<String> bwrap = findExecutable("bwrap");
        String reason;
        if (bwrap.isEmpty()) {
            reason = "bwrap was not found on " + PATH + " (install the 'bubblewrap' package)";
        } else {
            Map<String, Optional<String>> systemDirs = BwrapRoot.hostSystemDirs();
            List<List<String>> candidates = List.of(
                    List.of("--unshare-user", "--cap-drop", "ALL"),
                    List.of("--cap-drop", "ALL"),
                    List.of());
            String lastFailure = "";
            for (List<String> flags : candidates) {
                Isolation candidate = new Isolation(IsolationMode.BWRAP, setsid, bwrap.get(), flags, systemDirs);
                Optional<String> failure = candidate.probe();
                if (failure.isEmpty()) {
                    LOG.info("process isolation: bubblewrap ({}) with {}", bwrap.get(),
                            flags.isEmpty() ? "no extra flags" : String.join(" ", flags));
                    return candidate;
                }
                lastFailure = failure.get();
            }
            reason = "bwrap does not work here: " + lastFailure;
        }
        if (requested == IsolationMode.BWRAP) {
            throw new IllegalStateException("isolation 'bwrap' was requested but " + reason);
        }
        warnUnconfined("isolation is 'auto' and " + reason);
        return none(setsid);
    }

    private static Isolation none(Optional<String> setsid) {
        return new Isolation(IsolationMode.NONE, setsid, null, List.of(), Map.of());
    }

    private static void warnUnconfined(String why) {
        LOG.warn("PROCESS ISOLATION IS OFF ({}): sandbox processes run unconfined as the broker's user and can read "
                + "and write everything it can, including other sandboxes and the data directory", why);
    }

    /** The isolation actually used: {@code BWRAP} or {@code NONE}, never {@code AUTO}. */
    public IsolationMode inForce() {
        return inForce;
    }

    /**
     * The fixed environment of every host-side program of a launch ({@code setsid}, the shell around bubblewrap,
     * bubblewrap itself): {@code PATH} of the system directories and nothing else. Nothing of a request, and nothing
     * of the broker's own environment, is ever in it.
     */
    public Map<String, String> launcherEnvironment() {
        return Map.of("PATH", LAUNCHER_PATH);
    }

    /**
     * The environment a process itself gets, built from nothing (never the broker's own): {@code PATH}, {@code HOME}
     * ({@code /}, the sandbox's root as sandbox paths name it), {@code LANG=C.UTF-8}, {@code TERM=dumb}, then
     * {@code env} over them. It reaches the process only through the hand-over (see the class comment).
     */
    public Map<String, String> environment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("PATH", PATH);
        out.put("HOME", "/");
        out.put("LANG", "C.UTF-8");
        out.put("TERM", "dumb");
        out.putAll(env);
        return out;
    }

    /**
     * How a process running {@code sh -c command} in {@code workingDir} of the sandbox whose directory is
     * {@code sandboxRoot} is started, with {@code env} (the request's variables) over the minimal environment.
     * {@code hostWorkingDir} is where {@code workingDir} is on the host (the process's directory under {@code none}).
     */
    public Launch launch(Path sandboxRoot, SandboxPath workingDir, Path hostWorkingDir, String command,
                         Map<String, String> env) {
        Objects.requireNonNull(sandboxRoot, "sandboxRoot must not be null");
        Objects.requireNonNull(workingDir, "workingDir must not be null");
        Objects.requireNonNull(hostWorkingDir, "hostWorkingDir must not be null");
        Objects.requireNonNull(command, "command must not be null");
        Map<String, String> processEnv = environment(env);
        List<String> before = new ArrayList<>();
        setsid.ifPresent(s -> {
            before.add(s);
            before.add("-w");
        });
        if (inForce == IsolationMode.BWRAP) {
            before.addAll(List.of(SHELL, "-c", BWRAP_WRAPPER, SHELL));
            return new Launch(before, nulSeparated(bwrapArgs(sandboxRoot, workingDir, processEnv)),
                    List.of(bwrap, "--args", "3", SHELL, "-c", command), launcherEnvironment(), Path.of("/"));
        }
        before.addAll(List.of(SHELL, "-c", UNCONFINED_PRELUDE, SHELL));
        return new Launch(before, WarmShell.exports(processEnv), List.of(command), launcherEnvironment(),
                hostWorkingDir);
    }

    /**
     * Bubblewrap's arguments (read from a descriptor, never its command line): the namespaces, the sandbox root at
     * {@code /} with the system read-only on top, the working directory, and the process's whole environment.
     */
    List<String> bwrapArgs(Path sandboxRoot, SandboxPath workingDir, Map<String, String> processEnv) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"));
        args.addAll(namespaceFlags);
        args.addAll(List.of("--bind", sandboxRoot.toAbsolutePath().toString(), "/"));
        args.addAll(List.of("--ro-bind", "/usr", "/usr"));
        systemDirs.forEach((name, link) -> {
            if (link.isEmpty()) {
                args.addAll(List.of("--ro-bind", "/" + name, "/" + name));
            }
        });
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/etc"));
        for (String entry : ETC_ENTRIES) {
            args.addAll(List.of("--ro-bind-try", "/etc/" + entry, "/etc/" + entry));
        }
        args.addAll(List.of("--remount-ro", "/etc", "--chdir", workingDir.value()));
        args.add("--clearenv");
        processEnv.forEach((name, value) -> args.addAll(List.of("--setenv", name, value)));
        return args;
    }

    private static byte[] nulSeparated(List<String> args) {
        StringBuilder out = new StringBuilder();
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("an argument of bubblewrap contains a NUL character");
            }
            out.append(arg).append('\0');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the process started from a {@link Launch} leads its own process group. */
    boolean leadsProcessGroup() {
        return setsid.isPresent();
    }

    /**
     * Makes the sandbox directory ready to be the root of a bubblewrap process: creates the reserved mount points
     * and symlinks, and refuses one that is something else. Does nothing under {@code none}.
     */
    void prepare(Path sandboxRoot) {
        if (inForce != IsolationMode.BWRAP) {
            return;
        }
        BwrapRoot.prepare(sandboxRoot, systemDirs);
    }

    static Path hostPath(Path sandboxRoot, SandboxPath path) {
        Path p = sandboxRoot;
        for (String segment : path.segments()) {
            p = p.resolve(segment);
        }
        return p;
    }

    private Optional<String> probe() {
        Path root = null;
        try {
            root = Files.createTempDirectory("sandgate-isolation-probe");
            prepare(root);
            Process p = launch(root, SandboxPath.ROOT, root, "test -d /proc/self && exit 0", Map.of())
                    .start(false);
            byte[] out;
            try (InputStream in = p.getErrorStream(); InputStream stdout = p.getInputStream()) {
                out = in.readNBytes(4096); // bubblewrap says why it failed on its standard error
                stdout.readNBytes(4096);
            }
            if (!p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Optional.of("the probe did not finish within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).strip();
                return Optional.of("exit code " + p.exitValue() + (text.isEmpty() ? "" : ": " + firstLine(text)));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            deleteQuietly(root);
        }
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static void deleteQuietly(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary probe directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    static Optional<String> findExecutable(String name) {
        for (String dir : PATH_DIRS) {
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Isolation[" + inForce.wireName() + "]";
    }
}
