package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.LocalRecords.SandboxRecord;
import dev.sandgate.adapter.local.limits.DiskQuota;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.ports.UrlScheme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes on the disk: {@code <dataDir>/sandboxes/<name>/} holds a sandbox's files under {@code root/} (on a
 * file system of its own when the disk quota is on) and its record in {@code sandbox.json}, written atomically.
 *
 * <p><b>Images.</b> A new sandbox's root starts as a copy of the template directory
 * {@code <dataDir>/images/<image name mapped>} when there is one, else empty. The mapping keeps
 * {@code A-Z a-z 0-9 . _ -}, turns {@code /} into {@code _} and {@code :} into {@code +}, and every other character
 * into {@code _}; so {@code blaxel/base-image:latest} is looked up as {@code blaxel_base-image+latest}. A mapped
 * name starting with {@code .} never names a template.
 *
 * <p><b>Deletion.</b> A deleted sandbox's directory is renamed away ({@code .deleted-…}, atomically, so a crash never
 * brings it back) and then deleted; a directory left so by a crash is deleted when the sandboxes are next loaded.
 */
final class SandboxDirectories {
    /** A sandbox found on the disk. */
    record Found(Sandbox sandbox, Path dir) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SandboxDirectories.class);
    private static final String RECORD = "sandbox.json";
    private static final String ROOT = "root";
    private static final String DELETED_PREFIX = ".deleted-";

    private final Path sandboxesDir;
    private final Path imagesDir;
    private final boolean durable;
    private final UrlScheme urls;
    private final DiskQuota disk;
    private final AtomicLong deletions = new AtomicLong();

    SandboxDirectories(LocalSettings settings, DiskQuota disk) {
        this.sandboxesDir = settings.sandboxesDir();
        this.imagesDir = settings.imagesDir();
        this.durable = settings.durableWrites();
        this.urls = settings.urls();
        this.disk = disk;
    }

    static Path root(Path dir) {
        return dir.resolve(ROOT);
    }

    /**
     * Makes the directory of a new sandbox: its root (on its own file system when the quota is on), the template's
     * files, then its record. On failure nothing of it is left.
     */
    Path create(Sandbox sandbox) throws IOException {
        Path dir = sandboxesDir.resolve(sandbox.name().value());
        try {
            AtomicFiles.deleteTree(dir); // the remains of a create that crashed before its record was written
            Files.createDirectories(dir);
            Path root = root(dir);
            disk.provision(dir, root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Optional<Path> template = template(sandbox.spec().image());
            if (template.isPresent()) {
                copyTree(template.get(), root);
            }
            writeRecord(dir, sandbox);
            return dir;
        } catch (IOException e) {
            disk.detach(root(dir));
            try {
                AtomicFiles.deleteTree(dir);
            } catch (IOException ignored) {
                // the caller reports the first failure
            }
            throw e;
        }
    }

    void writeRecord(Path dir, Sandbox sandbox) throws IOException {
        SandboxRecord record = SandboxRecord.of(sandbox.spec(), sandbox.status(), sandbox.createdAt(),
                sandbox.updatedAt());
        AtomicFiles.write(dir.resolve(RECORD), LocalJson.encode(SandboxRecord.class, record), durable);
    }

    /**
     * Renames a deleted sandbox's directory away (atomically, so a crash never brings it back, and so that a new
     * sandbox of that name can be made at once); returns where it now is, for {@link #deleteAway}.
     */
    Path moveAway(SandboxName name, Path dir) {
        Path away = sandboxesDir.resolve(DELETED_PREFIX + name.value() + "-" + deletions.incrementAndGet() + "-"
                + System.nanoTime());
        try {
            Files.move(dir, away, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(sandboxesDir);
            return away;
        } catch (IOException e) {
            return dir;
        }
    }

    /** Deletes what {@link #moveAway} moved; a failure is logged. */
    void deleteAway(SandboxName name, Path away) {
        try {
            AtomicFiles.deleteTree(away);
        } catch (IOException e) {
            LOG.warn("the files of deleted sandbox {} could not all be removed: {}", name, e.toString());
        }
    }

    /** Every sandbox whose directory holds a valid record (and whose file system could be mounted again). */
    List<Found> load() {
        List<Found> found = new ArrayList<>();
        try {
            Files.createDirectories(sandboxesDir);
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sandboxesDir)) {
                for (Path dir : dirs) {
                    String name = dir.getFileName().toString();
                    if (name.startsWith(DELETED_PREFIX)) {
                        AtomicFiles.deleteTree(dir); // a delete interrupted after its rename
                        continue;
                    }
                    if (name.startsWith(".") || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    loadSandbox(dir).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the sandboxes could not be read", e);
        }
        return found;
    }

    private Optional<Found> loadSandbox(Path dir) {
        Path record = dir.resolve(RECORD);
        try {
            SandboxRecord r = LocalJson.decode(SandboxRecord.class, Files.readAllBytes(record),
                    "record of sandbox " + dir.getFileName());
            SandboxSpec spec = r.spec();
            if (!spec.name().value().equals(dir.getFileName().toString())) {
                throw new IOException("record of sandbox " + dir.getFileName() + " names another sandbox");
            }
            if (!Files.isDirectory(root(dir), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("sandbox " + dir.getFileName() + " has no root directory");
            }
            if (!disk.attach(dir, root(dir)) && disk.active()) {
                LOG.warn("sandbox {} was created without a disk quota: its files are not limited", spec.name());
            }
            return Optional.of(new Found(new Sandbox(spec, SandboxStatus.valueOf(r.status),
                    urls.sandboxUrl(spec.name()), r.createdAt, r.updatedAt), dir));
        } catch (NoSuchFileException e) {
            LOG.warn("ignoring directory {} of the sandboxes: it has no {} (an interrupted create)",
                    dir.getFileName(), RECORD);
        } catch (IOException | RuntimeException e) {
            LOG.error("ignoring sandbox {}: {}", dir.getFileName(), e.getMessage());
        }
        return Optional.empty();
    }

    /** The template directory of an image, if there is one. */
    Optional<Path> template(String image) {
        String mapped = templateName(image);
        if (mapped.startsWith(".")) {
            return Optional.empty();
        }
        Path dir = imagesDir.resolve(mapped);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** The image's template directory name: see the class comment. */
    static String templateName(String image) {
        StringBuilder out = new StringBuilder(image.length());
        for (int i = 0; i < image.length(); i++) {
            char c = image.charAt(i);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_') {
                out.append(c);
            } else if (c == ':') {
                out.append('+');
            } else {
                out.append('_');
            }
        }
        return out.toString();
    }

    /** Copies a template tree, keeping modes and times; links are copied as links, never followed. */
    private static void copyTree(Path from, Path to) throws IOException {
        Path source = from.toRealPath();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(source)) {
                    return FileVisitResult.CONTINUE; // the sandbox's root exists: its own file system, or a directory
                }
                Files.copy(dir, to.resolve(source.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
