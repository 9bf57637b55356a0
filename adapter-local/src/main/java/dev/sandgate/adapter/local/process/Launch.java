package dev.sandgate.adapter.local.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One OS process as {@link Isolation} starts it: the host-side launcher's command line, its fixed environment and
 * working directory, and the hand-over the launcher passes on to the inside without reading it itself (see
 * {@link Isolation} for what each mode puts there). The hand-over is written to a file of the broker's own, private
 * directory ({@link #handOverDirectory()}) just before the start, and removed when the process exits (or at
 * once if it does not start); the command line names that file between {@code before} and {@code after}.
 */
public final class Launch {
    private static final FileAttribute<?> PRIVATE_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<?> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final List<String> before;
    private final byte[] handOver;
    private final List<String> after;
    private final Map<String, String> environment;
    private final Path directory;

    // guarded by Launch.class
    private static Path handOverDirectory;

    Launch(List<String> before, byte[] handOver, List<String> after, Map<String, String> environment,
           Path directory) {
        this.before = List.copyOf(before);
        this.handOver = handOver.clone();
        this.after = List.copyOf(after);
        this.environment = Map.copyOf(environment);
        this.directory = Objects.requireNonNull(directory, "directory must not be null");
    }

    /** The launcher's command line with the hand-over in {@code handOverFile}. */
    public List<String> commandLine(Path handOverFile) {
        List<String> line = new ArrayList<>(before.size() + 1 + after.size());
        line.addAll(before);
        line.add(handOverFile.toString());
        line.addAll(after);
        return line;
    }

    /** What the launcher passes on to the inside (for tests). */
    public byte[] handOver() {
        return handOver.clone();
    }

    /** The launcher's whole environment: fixed by the broker, the same for every process. */
    public Map<String, String> environment() {
        return environment;
    }

    /** The launcher's working directory on the host. */
    public Path directory() {
        return directory;
    }

    /** Starts the process; its standard input is {@code /dev/null}, or a pipe when {@code stdinPipe}. */
    public Process start(boolean stdinPipe) throws IOException {
        return start(stdinPipe, java.util.function.UnaryOperator.identity());
    }

    /**
     * Starts the process with its command line put through {@code wrap} (which may put host-side steps in front,
     * such as joining the sandbox's control groups); they run with the same fixed environment.
     */
    public Process start(boolean stdinPipe, java.util.function.UnaryOperator<List<String>> wrap) throws IOException {
        Path file = writeHandOver(handOver);
        try {
            ProcessBuilder pb = new ProcessBuilder(wrap.apply(commandLine(file)));
            pb.directory(directory.toFile());
            pb.environment().clear();
            pb.environment().putAll(environment);
            if (!stdinPipe) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process process = pb.start();
            process.onExit().whenComplete((p, e) -> deleteQuietly(file));
            return process;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    /** Writes a hand-over into a new file of {@link #handOverDirectory()}, readable by the broker's user only. */
    private static Path writeHandOver(byte[] content) throws IOException {
        Path file = Files.createTempFile(handOverDirectory(), "launch-", "", PRIVATE_FILE);
        Files.write(file, content);
        return file;
    }

    /**
     * The directory of hand-over files: created on first use under the JVM's temporary directory, mode 0700, never
     * inside a sandbox (a sandbox process could otherwise rewrite bubblewrap's arguments before they are read).
     */
    static synchronized Path handOverDirectory() throws IOException {
        if (handOverDirectory == null || !Files.isDirectory(handOverDirectory, LinkOption.NOFOLLOW_LINKS)) {
            handOverDirectory = Files.createTempDirectory("sandgate-launch-", PRIVATE_DIRECTORY);
            handOverDirectory.toFile().deleteOnExit();
        }
        return handOverDirectory;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a private temporary file; the directory goes with the JVM
        }
    }
}
