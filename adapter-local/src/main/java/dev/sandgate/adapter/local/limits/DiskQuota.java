package dev.sandgate.adapter.local.limits;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A disk quota per sandbox: each new sandbox's files live on a file system of their own, an ext4 image
 * ({@code <sandbox dir>/disk.img}, sparse, so it takes only what is written) loop-mounted at the sandbox's root with
 * {@code nosuid,nodev}. A write past it fails inside the sandbox with {@code ENOSPC}, as on a full disk, and the
 * other sandboxes and the data directory keep their room.
 *
 * <p>Why an image rather than project quotas: it needs nothing of the host's file system (project quotas need
 * {@code prjquota} at mount time, which a data directory on an ordinary ext4 root lacks), only root and the standard
 * tools ({@code mkfs.ext4} from Debian's {@code e2fsprogs}, {@code mount}/{@code umount} from {@code mount}); and
 * the image is one file, so deleting a sandbox frees its space at once. The mount is undone when a sandbox is deleted
 * or the broker closes (the loop device goes with it: {@code mount -o loop} sets it to clear itself), and made again
 * for existing sandboxes when the broker starts.
 *
 * <p>Where the broker is not root, or the tools or loop devices are missing, {@link #resolve} says so with a WARN and
 * new sandboxes are plain directories without a quota. The quota applies to sandboxes created while it is set; an
 * existing sandbox keeps the file system it was created with.
 */
public final class DiskQuota {
    static final String IMAGE = "disk.img";
    private static final Logger LOG = LoggerFactory.getLogger(DiskQuota.class);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> PATH = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");
    private static final long PROBE_BYTES = 8L * 1024 * 1024;
    private static Optional<String> probed;

    private final long bytes;
    private final Optional<String> unavailable;

    private DiskQuota(long bytes, Optional<String> unavailable) {
        this.bytes = bytes;
        this.unavailable = unavailable;
    }

    /**
     * The quota for new sandboxes: {@code bytes} (0: none), where loop-mounted images work here (probed once per
     * JVM, by making and mounting a small one), else none, said with a WARN.
     */
    public static DiskQuota resolve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("disk quota " + bytes + " must not be negative");
        }
        Optional<String> why = probe();
        if (bytes > 0 && why.isPresent()) {
            LOG.warn("SANDBOX DISK QUOTA IS OFF: {}; a sandbox can fill the disk of the data directory", why.get());
        } else if (bytes > 0) {
            LOG.info("sandbox disk quota: {} bytes per sandbox, on a loop-mounted ext4 image", bytes);
        }
        return new DiskQuota(bytes, why);
    }

    /** Whether new sandboxes get a file system of their own. */
    public boolean active() {
        return bytes > 0 && unavailable.isEmpty();
    }

    /** The size of a new sandbox's file system; 0 when {@link #active()} is false. */
    public long bytes() {
        return active() ? bytes : 0;
    }

    /**
     * Makes {@code root} (which must not exist) the mount point of a new file system in {@code sandboxDir}, when the
     * quota is active; otherwise an ordinary directory.
     */
    public void provision(Path sandboxDir, Path root) throws IOException {
        Files.createDirectory(root);
        if (!active()) {
            return;
        }
        Path image = sandboxDir.resolve(IMAGE);
        makeImage(image, bytes);
        mount(image, root);
    }

    /** Mounts an existing sandbox's file system again, if it has one and it is not mounted; false if it has none. */
    public boolean attach(Path sandboxDir, Path root) throws IOException {
        Path image = sandboxDir.resolve(IMAGE);
        if (!Files.isRegularFile(image)) {
            return false;
        }
        if (unavailable.isPresent()) {
            throw new IOException("its disk image cannot be mounted: " + unavailable.get());
        }
        if (!mounted(root)) {
            mount(image, root);
        }
        return true;
    }

    /** Unmounts the sandbox's file system, if mounted (lazily when still busy, so that it goes once released). */
    public void detach(Path root) {
        if (!mounted(root)) {
            return;
        }
        String failure = run(List.of(tool("umount"), root.toString()));
        if (failure != null) {
            String lazy = run(List.of(tool("umount"), "-l", root.toString()));
            LOG.warn("the disk of {} was busy ({}); {}", root, failure,
                    lazy == null ? "detached lazily" : "it stays mounted: " + lazy);
        }
    }

    /** Whether a file system is mounted at {@code dir}. */
    static boolean mounted(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
            return Cgroups.Mount.parseAll(mountinfo).stream().anyMatch(m -> m.mountPoint().equals(absolute));
        } catch (IOException e) {
            return false;
        }
    }

    private static void makeImage(Path image, long size) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(size); // sparse: blocks are taken only when written
        }
        String failure = run(List.of(tool("mkfs.ext4"), "-q", "-F", "-m", "0", "-E",
                "lazy_itable_init=1,lazy_journal_init=1,nodiscard", image.toString()));
        if (failure != null) {
            throw new IOException("mkfs.ext4 failed: " + failure);
        }
    }

    private static void mount(Path image, Path root) throws IOException {
        String failure = run(List.of(tool("mount"), "-o", "loop,nosuid,nodev", image.toString(), root.toString()));
        if (failure != null) {
            throw new IOException("mount failed: " + failure);
        }
        Files.deleteIfExists(root.resolve("lost+found")); // fsck makes it again when it needs one
    }

    private static synchronized Optional<String> probe() {
        if (probed == null) {
            probed = probeNow();
        }
        return probed;
    }

    private static Optional<String> probeNow() {
        if (!isRoot()) {
            return Optional.of("the broker is not root, and only root can mount a sandbox's disk image");
        }
        for (String name : List.of("mkfs.ext4", "mount", "umount")) {
            if (find(name).isEmpty()) {
                return Optional.of(name + " was not found on " + String.join(":", PATH) + " (install the "
                        + (name.startsWith("mkfs") ? "'e2fsprogs'" : "'mount'") + " package)");
            }
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandgate-disk-probe");
            Path root = dir.resolve("root");
            Files.createDirectory(root);
            makeImage(dir.resolve(IMAGE), PROBE_BYTES);
            mount(dir.resolve(IMAGE), root);
            new DiskQuota(PROBE_BYTES, Optional.empty()).detach(root);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("a loop-mounted disk image does not work here: " + Cgroups.message(e));
        } finally {
            deleteQuietly(dir);
        }
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<String> find(String name) {
        return PATH.stream().map(d -> Path.of(d, name)).filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    private static String tool(String name) {
        return find(name).orElse(name);
    }

    /** Runs a tool with a fixed environment; null when it succeeded, else what it said. */
    private static String run(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().clear();
        pb.environment().put("PATH", String.join(":", PATH));
        pb.environment().put("LANG", "C");
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(4096);
            }
            if (!p.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Path.of(command.get(0)).getFileName() + " did not finish within " + TOOL_TIMEOUT.toSeconds()
                        + " s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return "exit code " + p.exitValue() + (text.isEmpty() ? "" : ": " + text);
        } catch (IOException e) {
            return Cgroups.message(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
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

    @Override
    public String toString() {
        return "DiskQuota[" + (active() ? bytes + " bytes" : "off") + "]";
    }
}
