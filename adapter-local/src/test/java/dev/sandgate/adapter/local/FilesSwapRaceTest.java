package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.FileEventListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A process inside the sandbox swaps the directory {@code /race/d} and a symbolic link {@code /race/l} to the data
 * directory ({@code renameat2(RENAME_EXCHANGE)} in a loop) while the files API works on {@code /race/d/...}: in both
 * isolation modes nothing outside the sandbox is ever read, written, deleted, listed or watched. Each test runs a
 * bounded number of rounds (until {@link #ROUNDS} or {@link #ROUND_DEADLINE}).
 */
class FilesSwapRaceTest {
    private static final SandboxName NAME = SandboxName.of("racer");
    private static final int ROUNDS = 400;
    private static final Duration ROUND_DEADLINE = Duration.ofSeconds(3);
    /** Swaps d and l for a minute at most; killed at the end of each test. */
    private static final String SWAPPER = "/usr/bin/python3 -c 'import ctypes,time\n"
            + "r=ctypes.CDLL(None,use_errno=True).renameat2\n"
            + "end=time.time()+60\n"
            + "while time.time()<end:\n"
            + "  for _ in range(2000): r(-100,b\"d\",-100,b\"l\",2)\n'";

    @TempDir
    Path dataDir;
    private LocalSandboxGateway gateway;
    private DataPlane files;
    private Path root;
    private String swapper;

    @AfterEach
    void close() {
        if (gateway != null) {
            if (swapper != null) {
                try {
                    files.killProcess(swapper);
                } catch (SandgateException ignored) {
                    // ended
                }
            }
            gateway.close();
        }
    }

    static Stream<IsolationMode> modes() {
        return Stream.of(IsolationMode.NONE, IsolationMode.BWRAP);
    }

    /** The sandbox with {@code /race/d} (inside) and {@code /race/l} (to the data directory), swapping. */
    private void race(IsolationMode mode) throws IOException {
        Isolation isolation;
        if (mode == IsolationMode.BWRAP) {
            isolation = TestGateways.isolation();
            assumeTrue(isolation.inForce() == IsolationMode.BWRAP, "bubblewrap is not usable here");
        } else {
            isolation = Isolation.resolve(IsolationMode.NONE);
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        LocalSettings settings = TestGateways.settings(dataDir);
        FileAccessStore access = FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false);
        gateway = new LocalSandboxGateway(settings, access, isolation, Clock.systemUTC());
        gateway.createSandbox(SandboxSpec.of(NAME));
        files = gateway.dataPlane(NAME);
        root = settings.sandboxesDir().resolve(NAME.value()).resolve("root");
        files.writeFile(path("/race/d/secret.key"), utf8("inside"), Optional.empty());
        files.writeFile(path("/race/d/inside-marker"), utf8("x"), Optional.empty());
        Files.createSymbolicLink(root.resolve("race/l"), dataDir.toAbsolutePath());
        Files.writeString(dataDir.resolve("victim.txt"), "CANARY victim");
        Files.createDirectories(dataDir.resolve("victim-dir"));
        Files.writeString(dataDir.resolve("victim-dir/inner.txt"), "CANARY inner");
        assertThat(dataDir.resolve("secret.key")).exists();

        swapper = files.exec(ProcessSpec.of(SWAPPER).withWorkingDir("/race")).pid();
        Path d = root.resolve("race/d");
        Eventually.await("the swap loop runs", Duration.ofSeconds(20), () -> Files.isSymbolicLink(d));
        Eventually.await("the swap loop runs", Duration.ofSeconds(20), () -> !Files.isSymbolicLink(d));
    }

    private interface Round {
        void run(int i) throws Exception;
    }

    /** Runs {@code round} until {@link #ROUNDS} or the deadline; refusals are what the race is allowed to cause. */
    private static int rounds(Round round) throws Exception {
        long deadline = System.nanoTime() + ROUND_DEADLINE.toNanos();
        int i = 0;
        for (; i < ROUNDS && System.nanoTime() - deadline < 0; i++) {
            try {
                round.run(i);
            } catch (SandgateException refused) {
                assertThat(refused.getMessage()).doesNotContain(Path.of("").toAbsolutePath().toString());
            }
        }
        return i;
    }

    private List<String> outsideNames() throws IOException {
        try (Stream<Path> list = Files.list(dataDir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_a_read_reach_the_data_directory(IsolationMode mode) throws Exception {
        race(mode);
        byte[] secret = Files.readAllBytes(dataDir.resolve("secret.key"));
        List<byte[]> read = new ArrayList<>();

        rounds(i -> read.add(files.readFile(path("/race/d/secret.key")).bytes()));

        assertThat(read).isNotEmpty().noneMatch(bytes -> java.util.Arrays.equals(bytes, secret))
                .allMatch(bytes -> java.util.Arrays.equals(bytes, utf8("inside")));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_a_write_land_in_the_data_directory(IsolationMode mode) throws Exception {
        race(mode);

        rounds(i -> files.writeFile(path("/race/d/planted-" + i), utf8("planted"), Optional.empty()));
        rounds(i -> files.writeFile(path("/race/d/deeper-" + i + "/planted"), utf8("planted"), Optional.empty()));

        assertThat(outsideNames()).noneMatch(n -> n.startsWith("planted") || n.startsWith("deeper"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_a_directory_be_made_in_the_data_directory(IsolationMode mode)
            throws Exception {
        race(mode);

        rounds(i -> files.makeDirectory(path("/race/d/made-" + i), "0777"));

        assertThat(outsideNames()).noneMatch(n -> n.startsWith("made"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_a_delete_remove_from_the_data_directory(IsolationMode mode) throws Exception {
        race(mode);

        rounds(i -> files.remove(path("/race/d/victim.txt"), false));
        rounds(i -> files.remove(path("/race/d/victim-dir"), true));
        rounds(i -> files.remove(path("/race/d/victim-dir/inner.txt"), false));

        assertThat(dataDir.resolve("victim.txt")).hasContent("CANARY victim");
        assertThat(dataDir.resolve("victim-dir/inner.txt")).hasContent("CANARY inner");
        assertThat(dataDir.resolve("secret.key")).exists();
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_a_listing_show_the_data_directory(IsolationMode mode) throws Exception {
        race(mode);
        List<String> listed = new ArrayList<>();

        rounds(i -> files.listDirectory(path("/race/d")).files().stream().map(FileEntry::name).forEach(listed::add));
        rounds(i -> files.listDirectory(path("/race/d")).subdirectories().stream().map(FileEntry::name)
                .forEach(listed::add));

        assertThat(listed).doesNotContain("sandboxes", "victim.txt", "victim-dir", "access");
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_find_or_grep_search_the_data_directory(IsolationMode mode) throws Exception {
        race(mode);
        List<String> found = new ArrayList<>();

        rounds(i -> files.find(path("/race"), FindQuery.everything()).stream().map(FindMatch::path)
                .map(SandboxPath::value).forEach(found::add));
        rounds(i -> files.grep(path("/race"), GrepQuery.of("CANARY")).forEach(m -> found.add(m.text())));

        assertThat(found).noneMatch(f -> f.contains("sandboxes") || f.contains("victim") || f.contains("CANARY"));
    }

    @ParameterizedTest
    @MethodSource("modes")
    void swapping_a_link_in_never_lets_a_watch_report_the_data_directory(IsolationMode mode) throws Exception {
        race(mode);
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        List<LogSubscription> watches = new ArrayList<>();
        FileEventListener listener = new FileEventListener() {
            @Override
            public void onEvent(FileEvent event) {
                events.add(event);
            }

            @Override
            public void onError(SandgateException error) {
                // a watched directory that was replaced ends its watch
            }
        };
        try {
            int tried = rounds(i -> {
                if (watches.size() < 200) {
                    watches.add(files.watch(path("/race/d"), List.of(), listener));
                }
                Files.writeString(dataDir.resolve("watch-canary-" + i), "x");
            });
            assertThat(tried).isPositive();
            // The watches that stayed on the real directory see this; one on the data directory would see the
            // canaries long before it.
            Files.writeString(dataDir.resolve("watch-canary-last"), "x");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() - deadline < 0 && events.stream().noneMatch(e -> e.name().equals("sync"))) {
                try {
                    files.writeFile(path("/race/d/sync"), utf8("s"), Optional.empty());
                } catch (SandgateException swappedNow) {
                    // retry
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        } finally {
            watches.forEach(LogSubscription::cancel);
        }

        assertThat(events).noneMatch(e -> e.name().startsWith("watch-canary") || e.name().equals("sandboxes"));
    }

    private static SandboxPath path(String value) {
        return SandboxPath.of(value);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
