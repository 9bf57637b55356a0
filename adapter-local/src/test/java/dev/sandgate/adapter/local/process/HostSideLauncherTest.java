package dev.sandgate.adapter.local.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an exec request carries reaches only the process inside the isolation, never the programs that start it on the
 * host ({@code setsid}, bubblewrap and the shell around them), and no sandbox process learns the host path of the data
 * directory. Every case runs in both isolation modes (bubblewrap where it works here), with warm shells and without.
 */
class HostSideLauncherTest {
    private static final ProcessSettings SETTINGS = ProcessSettings.defaults()
            .toBuilder().stopGracePeriod(Duration.ofSeconds(1))
            .defaultWaitTimeout(Duration.ofSeconds(20)).build();
    /** A name a warm shell never takes (its own variables start with it), so that such an exec is always spawned. */
    private static final String SPAWNED = "__sg_spawned";

    private static Isolation none;
    private static Isolation bwrap;

    @TempDir
    Path dataDir;
    /** Host-only files: the attacker's library and scripts at absolute paths, and the markers they would leave. */
    @TempDir
    Path host;
    private LocalProcesses processes;

    @BeforeAll
    static void isolations() {
        none = Isolation.resolve(IsolationMode.NONE);
        try {
            bwrap = Isolation.resolve(IsolationMode.BWRAP);
        } catch (IllegalStateException e) {
            bwrap = null;
        }
    }

    @AfterEach
    void stop() {
        if (processes != null) {
            processes.close();
        }
    }

    static Stream<String> modes() {
        return Stream.of("none, warm shells", "none, spawned", "bwrap, warm shells", "bwrap, spawned");
    }

    private Path start(String mode) throws IOException {
        Isolation isolation = mode.startsWith("bwrap") ? bwrap : none;
        assumeTrue(isolation != null, "bubblewrap is not installed or cannot create namespaces here");
        boolean warm = mode.endsWith("warm shells");
        Path root = Files.createDirectories(dataDir.resolve("sandboxes/box/root"));
        processes = new LocalProcesses(SandboxName.of("box"), root,
                warm ? SETTINGS : SETTINGS.toBuilder().warmShellIdle(Duration.ZERO).build(), isolation, Clock.systemUTC());
        if (warm) {
            processes.prestartWarmShell();
        }
        return root;
    }

    private String run(ProcessSpec spec) {
        ProcessInfo info = processes.exec(spec.withWaitForCompletion(true));
        assertThat(info.status()).as("status of %s: %s", spec.command(), processes.logs(info.pid()).logs())
                .isEqualTo(ProcessStatus.COMPLETED);
        return processes.logs(info.pid()).stdout();
    }

    /**
     * A session uploads a shared library and names it in {@code LD_PRELOAD}: if any host-side program of the launch
     * loaded it, its constructor would write the marker (an absolute host path, which does not exist inside the
     * sandbox). The command itself uses builtins only, so without isolation nothing but the launcher could load it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void ld_preload_in_exec_env_never_runs_on_the_host(String mode) throws Exception {
        Path root = start(mode);
        Path marker = host.resolve("preloaded-on-the-host");
        compileLibrary(marker, root.resolve("x.so"));

        for (Map<String, String> env : List.of(Map.of("LD_PRELOAD", "./x.so", "FOO", "bar"),
                Map.of("LD_PRELOAD", "./x.so", "FOO", "bar", SPAWNED, "1"),
                Map.of("LD_PRELOAD", root.resolve("x.so").toString(), "FOO", "bar", SPAWNED, "1"))) {
            String out = run(ProcessSpec.of("echo \"$FOO\"; echo \"$LD_PRELOAD\"").withEnv(env));

            assertThat(out).isEqualTo("bar\n" + env.get("LD_PRELOAD") + "\n");
            assertThat(marker).as("marker of the library run on the host").doesNotExist();
        }
    }

    /**
     * The variables that steer the dynamic loader, the shell or glibc, each pointing at something of the attacker's
     * on the host that would leave a marker if the launcher followed it; the command still sees each as given.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void loader_shell_and_glibc_variables_in_exec_env_do_not_steer_the_launcher(String mode) throws Exception {
        Path root = start(mode);
        Path marker = host.resolve("steered");
        Path libs = Files.createDirectories(host.resolve("libs"));
        compileLibrary(marker, libs.resolve("libc.so.6"));
        Path bin = Files.createDirectories(host.resolve("bin"));
        for (String program : List.of("sh", "dash", "bash", "setsid", "bwrap", "env", "cat")) {
            script(bin.resolve(program), "#!/bin/sh\necho \"$0\" >> " + marker + "\n");
        }
        Path rc = script(host.resolve("rc.sh"), "echo rc >> " + marker + "\n");
        Path gconv = Files.createDirectories(host.resolve("gconv"));
        Files.writeString(gconv.resolve("gconv-modules"), "module INTERNAL EVIL// evil 1\n");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LD_LIBRARY_PATH", libs.toString());
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("BASH_ENV", rc.toString());
        env.put("ENV", rc.toString());
        env.put("IFS", "/");
        env.put("GCONV_PATH", gconv.toString());
        env.put("FOO", "bar");
        for (boolean spawned : new boolean[] {false, true}) {
            Map<String, String> request = new LinkedHashMap<>(env);
            if (spawned) {
                request.put(SPAWNED, "1");
            }
            String out = run(ProcessSpec.of("for v in FOO LD_LIBRARY_PATH PATH BASH_ENV ENV GCONV_PATH; do "
                    + "eval \"printf '%s=%s\\n' \\$v \\\"\\$$v\\\"\"; done; printf '[%s]\\n' \"$IFS\"")
                    .withEnv(request));

            assertThat(out).isEqualTo("FOO=bar\nLD_LIBRARY_PATH=" + libs + "\nPATH=" + bin + ":/usr/bin:/bin\n"
                    + "BASH_ENV=" + rc + "\nENV=" + rc + "\nGCONV_PATH=" + gconv + "\n[ \t\n]\n");
            assertThat(marker).as("marker of a host program the launcher was steered to").doesNotExist();
        }
    }

    /** The command sees exactly the minimal environment and the request's variables, whatever their values. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void the_command_sees_exactly_the_variables_it_was_given(String mode) throws Exception {
        start(mode);
        Map<String, String> given = new LinkedHashMap<>();
        given.put("FOO", "bar baz");
        given.put("QUOTES", "it's \"quoted\" `not run` $(not run) $HOME \\");
        given.put("LINES", "one\ntwo");
        given.put("LANG", "C");
        for (boolean spawned : new boolean[] {false, true}) {
            Map<String, String> request = new LinkedHashMap<>(given);
            if (spawned) {
                request.put(SPAWNED, "1");
            }
            String out = run(ProcessSpec.of("echo \"$FOO\"; env -0").withEnv(request));

            assertThat(out).startsWith("bar baz\n");
            Map<String, String> seen = Arrays.stream(out.substring("bar baz\n".length()).split("\0"))
                    .filter(e -> e.contains("="))
                    .collect(Collectors.toMap(e -> e.substring(0, e.indexOf('=')), e -> e.substring(e.indexOf('=') + 1)));
            Map<String, String> expected = new LinkedHashMap<>(Map.of("PATH", Isolation.PATH, "HOME", "/",
                    "TERM", "dumb"));
            expected.putAll(request);
            Map<String, String> shellOwn = new LinkedHashMap<>(seen);
            shellOwn.keySet().removeAll(expected.keySet());
            assertThat(seen).containsAllEntriesOf(expected);
            assertThat(shellOwn.keySet()).as("variables nobody gave").isSubsetOf(Set.of("PWD", "OLDPWD", "SHLVL", "_"));
        }
    }

    /**
     * Bubblewrap's own command line ({@code /proc/1/cmdline} inside), its environment and the process's own name no
     * host path of the data directory. Without isolation the working directory is a host path by definition (it is
     * what {@code pwd} answers, and so {@code PWD}), but nothing else names it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void a_sandbox_process_never_learns_the_data_directory_path(String mode) throws Exception {
        Path root = start(mode);
        Files.createDirectories(root.resolve("app"));
        String command = "for f in /proc/1/cmdline /proc/1/environ /proc/$$/cmdline /proc/$$/environ "
                + "/proc/self/environ; do tr '\\0' '\\n' < $f 2>/dev/null; echo; done; env; echo \"home=$HOME\"";

        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of(SPAWNED, "1"))) {
            String out = run(ProcessSpec.of(command).withWorkingDir("/app").withEnv(env));

            String realDataDir = dataDir.toRealPath().toString();
            List<String> lines = out.lines()
                    .filter(l -> mode.startsWith("bwrap") || !(l.startsWith("PWD=") || l.startsWith("OLDPWD=")))
                    .toList();
            assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(dataDir.toString()))
                    .noneMatch(l -> l.contains(realDataDir));
            assertThat(lines).contains("home=/");
        }
    }

    /** Compiles a shared library whose constructor appends a line to {@code marker}. */
    private static void compileLibrary(Path marker, Path library) throws IOException, InterruptedException {
        Path source = library.resolveSibling(library.getFileName() + ".c");
        Files.writeString(source, String.join("\n",
                "#include <fcntl.h>",
                "#include <unistd.h>",
                "__attribute__((constructor)) static void loaded(void) {",
                "  int fd = open(\"" + marker + "\", O_WRONLY | O_CREAT | O_APPEND, 0644);",
                "  if (fd >= 0) { write(fd, \"loaded\\n\", 7); close(fd); }",
                "}",
                ""));
        Process cc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", library.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).as("gcc finished").isTrue();
        assertThat(cc.exitValue()).as("gcc: %s", output).isZero();
        Files.delete(source);
    }

    private static Path script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
