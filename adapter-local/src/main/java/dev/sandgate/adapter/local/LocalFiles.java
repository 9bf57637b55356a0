package dev.sandgate.adapter.local;

// Over 400 lines: every file operation of the files API over one SandboxRoot walk, kept together so that none can bypass it.

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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
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
 * The files of one sandbox, under its root directory. Every path is resolved by {@link SandboxRoot}: component by
 * component, each opened relative to its parent's descriptor without following links, so a process inside the
 * sandbox that swaps a directory for a symbolic link at any moment cannot make an operation land outside the root
 * ({@link SandboxPath} already removed {@code ..}). <b>Symbolic links are never followed</b>, not even those that
 * stay inside: they are listed and stat'ed as themselves (a file entry), reading or writing through one, or below
 * one, is refused with {@code InvalidRequest} "path … is a symbolic link, which the files API does not follow", and
 * removing one removes the link. Only regular files are read or written, and only directories listed; a FIFO,
 * socket or device node is refused with {@code InvalidRequest}, and cannot hang the caller (see
 * {@link SandboxRoot}).
 *
 * <p>Errors name sandbox paths only, never where the sandbox lives on the disk.
 */
public final class LocalFiles implements FileOperations {
    /** Mode of new files when none is given. */
    public static final String DEFAULT_FILE_PERMISSIONS = "0644";
    /** Mode of directories created along the way. */
    public static final String DEFAULT_DIRECTORY_PERMISSIONS = "0755";

    private final SandboxRoot root;
    private final long maxFileBytes;

    /** The files under {@code root}, with a staging directory named {@code staging} beside it. */
    public LocalFiles(Path root, long maxFileBytes) {
        this(root, Objects.requireNonNull(root, "root must not be null").toAbsolutePath().normalize()
                .resolveSibling(STAGING), maxFileBytes);
    }

    /**
     * @param root         the sandbox's root directory; it must exist
     * @param staging      a directory the sandbox cannot reach, on the root's file system, where new directories
     *                     are made before they are moved into place (created when missing)
     * @param maxFileBytes the largest file read or written whole
     */
    public LocalFiles(Path root, Path staging, long maxFileBytes) {
        Objects.requireNonNull(root, "root must not be null");
        Objects.requireNonNull(staging, "staging must not be null");
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes " + maxFileBytes + " must be positive");
        }
        this.root = new SandboxRoot(root, staging);
        this.maxFileBytes = maxFileBytes;
    }

    /** The staging directory's name beside the root, by default. */
    static final String STAGING = "staging";

    // ------------------------------------------------------------------ operations

    @Override
    public FileEntry stat(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        if (path.isRoot()) {
            try (SandboxRoot.Dir dir = root.openRoot()) {
                return entry(path, dir.attributes());
            }
        }
        try (SandboxRoot.Dir parent = parentOf(path)) {
            return entry(path, parent.attributes(name(path)).orElseThrow(() -> notFound(path)));
        }
    }

    @Override
    public FileContent readFile(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        if (path.isRoot()) {
            throw new SandgateException.InvalidRequest("path " + path + " is a directory, not a file");
        }
        try (SandboxRoot.Dir parent = parentOf(path)) {
            String name = name(path);
            PosixFileAttributes attrs = parent.attributes(name).orElseThrow(() -> notFound(path));
            if (attrs.isSymbolicLink()) {
                throw link(path);
            }
            if (attrs.isDirectory()) {
                throw new SandgateException.InvalidRequest("path " + path + " is a directory, not a file");
            }
            if (!attrs.isRegularFile()) {
                throw SandboxRoot.notRegular(path);
            }
            if (attrs.size() > maxFileBytes) {
                throw tooLarge(path, attrs.size());
            }
            try (SeekableByteChannel channel = parent.openRead(name);
                 InputStream in = Channels.newInputStream(channel)) {
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
    }

    @Override
    public DirectoryListing listDirectory(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        List<FileEntry> files = new ArrayList<>();
        List<FileEntry> dirs = new ArrayList<>();
        try (SandboxRoot.Dir dir = directory(path)) {
            for (String name : dir.names()) {
                SandboxPath childPath;
                try {
                    childPath = path.resolve(name);
                } catch (IllegalArgumentException unrepresentable) {
                    continue; // a name no sandbox path can carry (over the length limit)
                }
                Optional<PosixFileAttributes> attrs = dir.attributes(name);
                if (attrs.isEmpty()) {
                    continue; // vanished while listing
                }
                FileEntry entry = entry(childPath, attrs.get());
                (entry.directory() ? dirs : files).add(entry);
            }
        } catch (java.nio.file.DirectoryIteratorException e) {
            throw translate(path, e.getCause());
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
        directory(path).close();
        return LocalWatch.start(root, path, ignore, listener);
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
        String name = name(path);
        try (SandboxRoot.Dir parent = root.openCreating(path.parent(), mode(DEFAULT_DIRECTORY_PERMISSIONS))) {
            Optional<PosixFileAttributes> before = parent.attributes(name);
            if (before.isPresent()) {
                PosixFileAttributes attrs = before.get();
                if (attrs.isSymbolicLink()) {
                    throw link(path);
                }
                if (attrs.isDirectory()) {
                    throw new SandgateException.InvalidRequest("path " + path + " is a directory, not a file");
                }
                if (!attrs.isRegularFile()) {
                    throw SandboxRoot.notRegular(path);
                }
            }
            Set<PosixFilePermission> createMode = mode.orElseGet(() -> mode(DEFAULT_FILE_PERMISSIONS));
            try (SeekableByteChannel channel = parent.openWrite(name, createMode)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                throw translate(path, e);
            }
            if (mode.isPresent() || before.isEmpty()) {
                parent.setMode(name, createMode);
            }
            return entry(path, parent.attributes(name).orElseThrow(() -> notFound(path)));
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
        String name = name(path);
        try (SandboxRoot.Dir parent = root.openCreating(path.parent(), mode(DEFAULT_DIRECTORY_PERMISSIONS))) {
            Optional<PosixFileAttributes> existing = parent.attributes(name);
            if (existing.isPresent()) {
                if (existing.get().isSymbolicLink()) {
                    throw link(path);
                }
                if (!existing.get().isDirectory()) {
                    throw new SandgateException.InvalidRequest("path " + path + " exists and is not a directory");
                }
                return entry(path, existing.get());
            }
            parent.makeDirectory(name, mode);
            return entry(path, parent.attributes(name).orElseThrow(() -> notFound(path)));
        }
    }

    @Override
    public void remove(SandboxPath path, boolean recursive) {
        Objects.requireNonNull(path, "path must not be null");
        if (path.isRoot()) {
            throw new SandgateException.InvalidRequest("the sandbox root cannot be removed");
        }
        // The parent is walked to; the entry itself is removed as it is, a link never followed.
        String name = name(path);
        try (SandboxRoot.Dir parent = parentOf(path)) {
            PosixFileAttributes attrs = parent.attributes(name).orElseThrow(() -> notFound(path));
            if (attrs.isDirectory()) {
                if (recursive) {
                    deleteTree(parent, name, 0);
                } else {
                    parent.deleteDirectory(name);
                }
            } else {
                parent.deleteFile(name);
            }
        } catch (IOException e) {
            throw translate(path, e);
        }
    }

    /** Removes directory {@code name} of {@code parent} and all below it, each entry relative to its directory. */
    private static void deleteTree(SandboxRoot.Dir parent, String name, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new SandgateException.InvalidRequest("directory " + parent.at(name) + " is nested too deeply");
        }
        try (SandboxRoot.Dir dir = parent.child(name)) {
            for (String child : dir.names()) {
                Optional<PosixFileAttributes> attrs = dir.attributes(child);
                if (attrs.isEmpty()) {
                    continue;
                }
                if (attrs.get().isDirectory()) {
                    deleteTree(dir, child, depth + 1);
                } else {
                    try {
                        dir.deleteFile(child);
                    } catch (NoSuchFileException gone) {
                        // removed meanwhile
                    }
                }
            }
        } catch (java.nio.file.DirectoryIteratorException e) {
            throw e.getCause();
        }
        parent.deleteDirectory(name);
    }

    /** How deep a recursive removal goes. */
    private static final int MAX_DEPTH = 1024;

    // ------------------------------------------------------------------ resolution

    /** The directory at {@code path}; a file there is refused as not being a directory. */
    private SandboxRoot.Dir directory(SandboxPath path) {
        if (!path.isRoot()) {
            try (SandboxRoot.Dir parent = parentOf(path)) {
                PosixFileAttributes attrs = parent.attributes(name(path)).orElseThrow(() -> notFound(path));
                if (attrs.isSymbolicLink()) {
                    throw link(path);
                }
                if (!attrs.isDirectory()) {
                    throw new SandgateException.InvalidRequest("path " + path + " is a file, not a directory");
                }
                return parent.child(name(path));
            }
        }
        return root.openRoot();
    }

    /** The open parent directory of {@code path}; a missing one makes {@code path} itself not found. */
    private SandboxRoot.Dir parentOf(SandboxPath path) {
        try {
            return root.open(path.parent());
        } catch (SandgateException.NotFound missing) {
            throw notFound(path);
        }
    }

    private static String name(SandboxPath path) {
        return path.fileName().orElseThrow();
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

    static SandgateException.InvalidRequest link(SandboxPath path) {
        return new SandgateException.InvalidRequest("path " + path + " is a symbolic link, which the files API does "
                + "not follow");
    }

    static SandgateException.NotFound notFound(SandboxPath path) {
        return new SandgateException.NotFound("path " + path + " not found");
    }

    private SandgateException.InvalidRequest tooLarge(SandboxPath path, long size) {
        return SandgateException.InvalidRequest.tooLarge("file " + path + " is " + size + " bytes, more than the "
                + maxFileBytes + " allowed");
    }

    /** Maps an I/O failure to the port's errors, naming only the sandbox path. */
    static SandgateException translate(SandboxPath path, IOException e) {
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
            return link(path);
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null
                && fs.getReason().contains("Not a directory")) {
            return new SandgateException.InvalidRequest("a parent of path " + path + " is not a directory");
        }
        return new SandgateException.Unavailable("file operation on path " + path + " failed");
    }
}
