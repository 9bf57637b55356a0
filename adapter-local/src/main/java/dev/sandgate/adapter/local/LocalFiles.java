package dev.sandgate.adapter.local;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.FileOperations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The files of one sandbox, under its root directory. A sandbox path is resolved segment by segment below the root
 * ({@link SandboxPath} already removed {@code ..}); the real path of what exists (the target itself, or for a write
 * the longest existing ancestor) must lie under the root's real path, compared as {@link Path}s, so a symbolic link
 * that leads outside (absolute or relative, to a file or a directory) is refused with {@code InvalidRequest}
 * "path … leaves the sandbox". Files are opened with {@code O_NOFOLLOW} once resolved, and removal never follows a
 * link. What remains is the race of a process inside the sandbox swapping a directory for a link between the check
 * and the use; isolation (bubblewrap) is the answer to hostile processes, this class to hostile paths.
 *
 * <p>Errors name sandbox paths only, never where the sandbox lives on the disk.
 */
public final class LocalFiles implements FileOperations {
    /** Mode of new files when none is given. */
    public static final String DEFAULT_FILE_PERMISSIONS = "0644";
    /** Mode of directories created along the way. */
    public static final String DEFAULT_DIRECTORY_PERMISSIONS = "0755";

    private final Path root;
    private final long maxFileBytes;

    /**
     * @param root         the sandbox's root directory; it must exist
     * @param maxFileBytes the largest file read or written whole
     */
    public LocalFiles(Path root, long maxFileBytes) {
        Objects.requireNonNull(root, "root must not be null");
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes " + maxFileBytes + " must be positive");
        }
        this.root = root.toAbsolutePath().normalize();
        this.maxFileBytes = maxFileBytes;
    }

    // ------------------------------------------------------------------ operations

    @Override
    public FileEntry stat(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        Path real = existing(path);
        return entry(path, attributes(path, real));
    }

    @Override
    public FileContent readFile(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        Path real = existing(path);
        PosixFileAttributes attrs = attributes(path, real);
        if (attrs.isDirectory()) {
            throw new SandgateException.InvalidRequest("path " + path + " is a directory, not a file");
        }
        if (!attrs.isRegularFile()) {
            throw new SandgateException.InvalidRequest("path " + path + " is not a regular file");
        }
        if (attrs.size() > maxFileBytes) {
            throw tooLarge(path, attrs.size());
        }
        try (SeekableByteChannel channel = Files.newByteChannel(real, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS); InputStream in = Channels.newInputStream(channel)) {
            // Read at most one byte more than allowed: the file may have grown since it was measured.
            byte[] bytes = in.readNBytes((int) maxFileBytes + 1);
            if (bytes.length > maxFileBytes) {
                throw tooLarge(path, bytes.length);
            }
            return new FileContent(entry(path, attrs, bytes.length), bytes);
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    @Override
    public DirectoryListing listDirectory(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        Path real = existing(path);
        if (!attributes(path, real).isDirectory()) {
            throw new SandgateException.InvalidRequest("path " + path + " is a file, not a directory");
        }
        List<FileEntry> files = new ArrayList<>();
        List<FileEntry> dirs = new ArrayList<>();
        Path rootReal = rootReal();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(real)) {
            for (Path child : stream) {
                SandboxPath childPath;
                try {
                    childPath = path.resolve(child.getFileName().toString());
                } catch (IllegalArgumentException unrepresentable) {
                    continue; // a name no sandbox path can carry (over the length limit)
                }
                Optional<PosixFileAttributes> attrs = listedAttributes(child, rootReal);
                if (attrs.isEmpty()) {
                    continue; // vanished while listing
                }
                FileEntry entry = entry(childPath, attrs.get());
                (entry.directory() ? dirs : files).add(entry);
            }
        } catch (IOException e) {
            throw translate(path, e);
        }
        Comparator<FileEntry> byName = Comparator.comparing(FileEntry::name);
        files.sort(byName);
        dirs.sort(byName);
        return new DirectoryListing(path, files, dirs);
    }

    @Override
    public dev.sandgate.ports.LogSubscription watch(SandboxPath path, List<String> ignore,
                                                    dev.sandgate.ports.FileEventListener listener) {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(ignore, "ignore must not be null");
        Objects.requireNonNull(listener, "listener must not be null");
        Path real = existing(path);
        if (!attributes(path, real).isDirectory()) {
            throw new SandgateException.InvalidRequest("path " + path + " is a file, not a directory");
        }
        return LocalWatch.start(real, path, ignore, listener);
    }

    @Override
    public FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(content, "content must not be null");
        Objects.requireNonNull(permissions, "permissions must not be null");
        if (path.isRoot()) {
            throw new SandgateException.InvalidRequest("path / is the sandbox root, not a file");
        }
        Optional<Set<PosixFilePermission>> mode = permissions.map(p -> mode(p));
        if (content.length > maxFileBytes) {
            throw tooLarge(path, content.length);
        }
        Path parent = directoryFor(path.parent());
        Path target = parent.resolve(path.fileName().orElseThrow());
        try {
            boolean existed = false;
            if (Files.isSymbolicLink(target)) {
                target = inside(path, target);
                existed = true;
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new SandgateException.InvalidRequest("path " + path + " is a directory, not a file");
            }
            existed |= Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            try (SeekableByteChannel channel = Files.newByteChannel(target, options)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            if (mode.isPresent() || !existed) {
                Files.setPosixFilePermissions(target, mode.orElseGet(() -> mode(DEFAULT_FILE_PERMISSIONS)));
            }
            return entry(path, attributes(path, target));
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    @Override
    public FileEntry makeDirectory(SandboxPath path, String permissions) {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(permissions, "permissions must not be null");
        Set<PosixFilePermission> mode = mode(permissions);
        if (path.isRoot()) {
            return stat(path);
        }
        Path parent = directoryFor(path.parent());
        Path target = parent.resolve(path.fileName().orElseThrow());
        try {
            if (Files.isSymbolicLink(target)) {
                target = inside(path, target);
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new SandgateException.InvalidRequest("path " + path + " exists and is not a directory");
                }
                return entry(path, attributes(path, target));
            }
            try {
                Files.createDirectory(target);
                Files.setPosixFilePermissions(target, mode);
            } catch (FileAlreadyExistsException raced) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new SandgateException.InvalidRequest("path " + path + " exists and is not a directory");
                }
            }
            return entry(path, attributes(path, target));
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    @Override
    public void remove(SandboxPath path, boolean recursive) {
        Objects.requireNonNull(path, "path must not be null");
        if (path.isRoot()) {
            throw new SandgateException.InvalidRequest("the sandbox root cannot be removed");
        }
        // The parent is resolved (and checked); the entry itself is removed as it is, a link never followed.
        Path parent = existing(path.parent());
        Path target = parent.resolve(path.fileName().orElseThrow());
        try {
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw notFound(path);
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                if (recursive) {
                    AtomicFiles.deleteTree(target);
                    return;
                }
                try (DirectoryStream<Path> children = Files.newDirectoryStream(target)) {
                    if (children.iterator().hasNext()) {
                        throw new SandgateException.InvalidRequest("directory " + path
                                + " is not empty; remove it recursively");
                    }
                }
            }
            Files.delete(target);
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    // ------------------------------------------------------------------ resolution

    private Path rootReal() {
        try {
            return root.toRealPath();
        } catch (NoSuchFileException e) {
            throw new SandgateException.NotFound("the sandbox's files are gone");
        } catch (IOException e) {
            throw new SandgateException.Unavailable("the sandbox's files cannot be reached", e);
        }
    }

    /** The lexical location of a sandbox path under the root; nothing is followed yet. */
    private Path lexical(SandboxPath path) {
        Path p = root;
        for (String segment : path.segments()) {
            p = p.resolve(segment);
        }
        return p;
    }

    /** The real path of an existing entry, checked to lie inside the root. */
    private Path existing(SandboxPath path) {
        Path lexical = lexical(path);
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw missing(path, lexical);
        } catch (IOException e) {
            throw translate(path, e);
        }
        return checkInside(path, real, rootReal());
    }

    /**
     * Why {@code path} cannot be resolved: a dangling link, or a missing entry below a link that leads outside,
     * "leaves the sandbox" (so that nothing is learnt about the world outside); anything else is not found.
     */
    private SandgateException missing(SandboxPath path, Path lexical) {
        Path ancestor = lexical;
        while (ancestor != null && !ancestor.equals(root) && !Files.exists(ancestor, LinkOption.NOFOLLOW_LINKS)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return notFound(path);
        }
        try {
            Path real = ancestor.toRealPath();
            return real.startsWith(rootReal()) ? notFound(path) : leaves(path);
        } catch (NoSuchFileException dangling) {
            return ancestor.equals(root) ? notFound(path) : leaves(path);
        } catch (IOException e) {
            return translate(path, e);
        }
    }

    /** Resolves a symlink found at {@code target} to its real path, refusing one that leads outside or nowhere. */
    private Path inside(SandboxPath path, Path target) {
        try {
            return checkInside(path, target.toRealPath(), rootReal());
        } catch (NoSuchFileException e) {
            throw leaves(path); // a dangling link: its target cannot be proven inside
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    /**
     * The real path of directory {@code dir}, created (with its parents) where missing: the longest existing
     * ancestor is resolved and checked, and only plain directories are created below it.
     */
    private Path directoryFor(SandboxPath dir) {
        Path rootReal = rootReal();
        List<String> segments = dir.segments();
        int existingCount = segments.size();
        Path lexical = lexical(dir);
        while (existingCount > 0 && !Files.exists(lexical, LinkOption.NOFOLLOW_LINKS)) {
            existingCount--;
            lexical = lexical.getParent();
        }
        SandboxPath existingPath = SandboxPath.of("/" + String.join("/", segments.subList(0, existingCount)));
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw leaves(existingPath);
        } catch (IOException e) {
            throw translate(existingPath, e);
        }
        checkInside(existingPath, real, rootReal);
        if (!Files.isDirectory(real)) {
            throw new SandgateException.InvalidRequest("path " + existingPath + " is a file, not a directory");
        }
        Set<PosixFilePermission> dirMode = mode(DEFAULT_DIRECTORY_PERMISSIONS);
        for (String segment : segments.subList(existingCount, segments.size())) {
            real = real.resolve(segment);
            try {
                Files.createDirectory(real);
                Files.setPosixFilePermissions(real, dirMode);
            } catch (FileAlreadyExistsException raced) {
                if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                    throw new SandgateException.InvalidRequest("path " + dir + " is not a directory");
                }
            } catch (IOException e) {
                throw translate(dir, e);
            }
        }
        return real;
    }

    private static Path checkInside(SandboxPath path, Path real, Path rootReal) {
        if (!real.startsWith(rootReal)) {
            throw leaves(path);
        }
        return real;
    }

    /** Attributes of a listed child: followed when it is a link that stays inside, else the link's own. */
    private static Optional<PosixFileAttributes> listedAttributes(Path child, Path rootReal) throws IOException {
        try {
            PosixFileAttributes own = Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (own.isSymbolicLink()) {
                try {
                    Path target = child.toRealPath();
                    if (target.startsWith(rootReal)) {
                        return Optional.of(Files.readAttributes(target, PosixFileAttributes.class));
                    }
                } catch (NoSuchFileException dangling) {
                    // report the link itself
                }
            }
            return Optional.of(own);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static PosixFileAttributes attributes(SandboxPath path, Path real) {
        try {
            return Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    private static FileEntry entry(SandboxPath path, PosixFileAttributes attrs) {
        return entry(path, attrs, attrs.isDirectory() ? 0 : attrs.size());
    }

    private static FileEntry entry(SandboxPath path, PosixFileAttributes attrs, long size) {
        return new FileEntry(path, attrs.isDirectory(), size, octal(attrs.permissions()),
                attrs.lastModifiedTime().toInstant());
    }

    // ------------------------------------------------------------------ permissions

    /** {@code rwxr-xr-x} as four octal digits, {@code 0755}. */
    static String octal(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }

    /** Parses {@code 0644}, {@code 644}; set-id and sticky bits are refused, as is anything not octal. */
    static Set<PosixFilePermission> mode(String permissions) {
        try {
            FileEntry.requirePermissions(permissions);
        } catch (IllegalArgumentException e) {
            throw new SandgateException.InvalidRequest(e.getMessage());
        }
        int bits = Integer.parseInt(permissions, 8);
        if (bits > 0777) {
            throw new SandgateException.InvalidRequest("permissions '" + permissions
                    + "' set special bits (set-id, sticky), which are not supported: use 0000-0777");
        }
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((bits & (1 << (8 - p.ordinal()))) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    // ------------------------------------------------------------------ errors

    private static SandgateException.InvalidRequest leaves(SandboxPath path) {
        return new SandgateException.InvalidRequest("path " + path + " leaves the sandbox");
    }

    private static SandgateException.NotFound notFound(SandboxPath path) {
        return new SandgateException.NotFound("path " + path + " not found");
    }

    private SandgateException.InvalidRequest tooLarge(SandboxPath path, long size) {
        return SandgateException.InvalidRequest.tooLarge("file " + path + " is " + size + " bytes, more than the "
                + maxFileBytes + " allowed");
    }

    /** Maps an I/O failure to the port's errors, naming only the sandbox path. */
    private static SandgateException translate(SandboxPath path, IOException e) {
        if (DiskFull.is(e)) {
            return DiskFull.error(path);
        }
        if (e instanceof NoSuchFileException) {
            return notFound(path);
        }
        if (e instanceof NotDirectoryException) {
            return new SandgateException.InvalidRequest("a parent of path " + path + " is not a directory");
        }
        if (e instanceof DirectoryNotEmptyException) {
            return new SandgateException.InvalidRequest("directory " + path + " is not empty; remove it recursively");
        }
        if (e instanceof FileAlreadyExistsException) {
            return new SandgateException.Conflict("path " + path + " already exists");
        }
        if (e instanceof AccessDeniedException) {
            return new SandgateException.InvalidRequest("permission denied on path " + path);
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null
                && fs.getReason().contains("Too many levels of symbolic links")) {
            return leaves(path);
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null
                && fs.getReason().contains("Not a directory")) {
            return new SandgateException.InvalidRequest("a parent of path " + path + " is not a directory");
        }
        return new SandgateException.Unavailable("file operation on path " + path + " failed");
    }
}
