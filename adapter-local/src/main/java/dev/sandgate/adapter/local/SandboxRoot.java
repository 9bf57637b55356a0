package dev.sandgate.adapter.local;

// Over 400 lines: the descriptor-by-descriptor walk and every descriptor-relative operation on it, in one place on purpose: a second copy would be a second place to get the race wrong.

import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Race-free access to one sandbox's tree. A process inside the sandbox may rename, swap
 * ({@code renameat2(RENAME_EXCHANGE)}) and replace any entry at any moment, so no host path below the root is ever
 * trusted: the root is opened once per operation, and every path component is opened <em>relative to the open
 * descriptor of its parent</em> ({@link SecureDirectoryStream}, {@code openat(2)} and friends on Linux) with
 * {@code O_NOFOLLOW}. A symbolic link is never followed, not even one that stays inside: it is listed and stat'ed as
 * what it is (a link, reported as a file), and reading or writing through it is refused with {@code InvalidRequest}.
 * Entries are created, removed, renamed and inspected relative to a descriptor as well ({@code fstatat},
 * {@code unlinkat}, {@code renameat}). Directories are created in a broker-only {@code staging} directory on the
 * same file system and then moved into place with {@code renameat}, because the JDK has no {@code mkdirat}. Where
 * the root is a file system of its own (the disk quota's image), the directory is made at the top of the root
 * instead (a path no sandbox process can redirect), its mode set through its descriptor, and renamed into place.
 *
 * <h2>Only regular files and directories, and no open that hangs</h2>
 * An entry's type is read ({@code fstatat}, no open) before it is opened, so a FIFO, socket or device node is refused
 * at once. A swap right after that check could still put a FIFO under the name, and {@code open(2)} of a FIFO for
 * reading blocks until a writer appears (Java has no {@code O_NONBLOCK}). Three things make that harmless:
 * <ul>
 * <li>writes open with {@code O_RDWR}, which never blocks on a FIFO;</li>
 * <li>every other open of an entry (a directory, a file to read, {@code fchmod} of an entry) runs on this sandbox's
 * own small pool of {@value #OPEN_THREADS} threads and is waited for at most {@link #OPEN_DEADLINE}; past it the
 * walker opens the same name relative to the same directory with {@code O_RDWR}, which unblocks an open waiting on
 * a FIFO (again and again for up to a second, as the FIFO may be swapped back and forth), and answers
 * {@code InvalidRequest}. If the FIFO was moved away meanwhile, the open stays blocked on that
 * pool's thread, never on a caller's: a sandbox can wedge at most its own {@value #OPEN_THREADS} threads, after which
 * its own file operations answer {@code Unavailable};</li>
 * <li>a channel is used only if it is seekable ({@code lseek} fails on a FIFO or socket), so nothing is ever read
 * from or written to anything but a regular file.</li>
 * </ul>
 */
final class SandboxRoot {
    /** How long one open of an entry may take before it is taken for a swapped-in FIFO. */
    static final Duration OPEN_DEADLINE = Duration.ofSeconds(2);
    /** Threads one sandbox may have opening entries at once. */
    static final int OPEN_THREADS = 4;
    private static final int OPEN_QUEUE = 512;
    private static final Duration UNBLOCKED_WAIT = Duration.ofSeconds(1);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Path root;
    private final Path staging;
    private final ThreadPoolExecutor opens;

    /**
     * @param root    the sandbox's root directory
     * @param staging a directory only the broker can reach, on the root's file system (created when missing)
     */
    SandboxRoot(Path root, Path staging) {
        this.root = Objects.requireNonNull(root, "root must not be null").toAbsolutePath().normalize();
        this.staging = Objects.requireNonNull(staging, "staging must not be null").toAbsolutePath().normalize();
        this.opens = new ThreadPoolExecutor(OPEN_THREADS, OPEN_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(OPEN_QUEUE), r -> {
                    Thread t = new Thread(r, "sandgate-files-open-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.opens.allowCoreThreadTimeOut(true);
    }

    /** The root's host path: for what must name it (inotify), never to reach an entry. */
    Path hostPath(SandboxPath path) {
        Path p = root;
        for (String segment : path.segments()) {
            p = p.resolve(segment);
        }
        return p;
    }

    /** The open root directory. */
    Dir openRoot() {
        try {
            DirectoryStream<Path> stream = Files.newDirectoryStream(root);
            if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
                stream.close();
                throw new SandgateException.Unavailable("this platform offers no descriptor-relative file access");
            }
            return new Dir(SandboxPath.ROOT, secure);
        } catch (NoSuchFileException e) {
            throw new SandgateException.NotFound("the sandbox's files are gone");
        } catch (IOException e) {
            throw new SandgateException.Unavailable("the sandbox's files cannot be reached", e);
        }
    }

    /** The directory at {@code path}, each component opened below the previous one, no link followed. */
    Dir open(SandboxPath path) {
        return walk(path, Optional.empty());
    }

    /** As {@link #open}, creating missing components as plain directories of mode {@code mode}. */
    Dir openCreating(SandboxPath path, Set<PosixFilePermission> mode) {
        return walk(path, Optional.of(mode));
    }

    private Dir walk(SandboxPath path, Optional<Set<PosixFilePermission>> create) {
        Dir dir = openRoot();
        try {
            for (String segment : path.segments()) {
                if (create.isPresent() && dir.attributes(segment).isEmpty()) {
                    dir.makeDirectory(segment, create.get());
                }
                Dir next = dir.child(segment);
                dir.close();
                dir = next;
            }
            return dir;
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** One open directory of the sandbox; every operation is relative to its descriptor. */
    final class Dir implements AutoCloseable {
        private final SandboxPath path;
        private final SecureDirectoryStream<Path> stream;

        private Dir(SandboxPath path, SecureDirectoryStream<Path> stream) {
            this.path = path;
            this.stream = stream;
        }

        SandboxPath path() {
            return path;
        }

        /** The sandbox path of entry {@code name}. */
        SandboxPath at(String name) {
            return path.resolve(name);
        }

        /** This directory's own attributes ({@code fstat} of its descriptor). */
        PosixFileAttributes attributes() {
            try {
                return stream.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
            } catch (IOException e) {
                throw LocalFiles.translate(path, e);
            }
        }

        /** Entry {@code name}'s own attributes ({@code fstatat}, a link not followed), empty when missing. */
        Optional<PosixFileAttributes> attributes(String name) {
            try {
                return Optional.of(stream.getFileAttributeView(Path.of(name), PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes());
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw LocalFiles.translate(at(name), e);
            }
        }

        /** The names of the entries, in directory order. A directory can be listed once. */
        List<String> names() {
            List<String> names = new ArrayList<>();
            for (Path entry : stream) {
                names.add(entry.getFileName().toString());
            }
            return names;
        }

        /** Subdirectory {@code name}: a link or anything but a directory is refused. */
        Dir child(String name) {
            SandboxPath childPath = at(name);
            PosixFileAttributes attrs = attributes(name).orElseThrow(() -> LocalFiles.notFound(childPath));
            if (attrs.isSymbolicLink()) {
                throw LocalFiles.link(childPath);
            }
            if (!attrs.isDirectory()) {
                throw new SandgateException.InvalidRequest("path " + childPath + " is not a directory");
            }
            SecureDirectoryStream<Path> child = guarded(childPath, name,
                    () -> stream.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS));
            return new Dir(childPath, child);
        }

        /** Opens regular file {@code name} for reading; the caller checked its type first. */
        SeekableByteChannel openRead(String name) {
            SeekableByteChannel channel = guarded(at(name), name, () -> stream.newByteChannel(Path.of(name),
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
            return seekable(at(name), channel);
        }

        /**
         * Opens {@code name} for writing, truncated, created with {@code mode} when missing. {@code O_RDWR}: unlike
         * {@code O_WRONLY} it never blocks on a FIFO swapped in after the caller's check.
         */
        SeekableByteChannel openWrite(String name, Set<PosixFilePermission> mode) {
            Set<OpenOption> options = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            try {
                return seekable(at(name), stream.newByteChannel(Path.of(name), options,
                        PosixFilePermissions.asFileAttribute(mode)));
            } catch (IOException e) {
                throw LocalFiles.translate(at(name), e);
            }
        }

        /** Sets entry {@code name}'s mode ({@code openat(O_NOFOLLOW)} then {@code fchmod}). */
        void setMode(String name, Set<PosixFilePermission> mode) {
            guarded(at(name), name, () -> {
                stream.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(mode);
                return (Closeable) () -> { };
            });
        }

        /**
         * Creates directory {@code name} with exactly {@code mode}: made in the staging directory (the broker's own),
         * then renamed into this one. One that appears meanwhile wins; anything but a directory there is refused.
         */
        void makeDirectory(String name, Set<PosixFilePermission> mode) {
            SandboxPath target = at(name);
            String staged = ".mkdir-" + UUID.randomUUID();
            try {
                Files.createDirectories(staging);
                Path made = Files.createDirectory(staging.resolve(staged));
                Files.setPosixFilePermissions(made, mode);
                try (DirectoryStream<Path> plain = Files.newDirectoryStream(staging)) {
                    if (!(plain instanceof SecureDirectoryStream<Path> from)) {
                        throw new SandgateException.Unavailable("this platform offers no descriptor-relative file "
                                + "access");
                    }
                    from.move(Path.of(staged), stream, Path.of(name));
                }
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                // The root is a file system of its own (the disk quota's): the directory is made at the top of the
                // root (whose path no sandbox process can redirect; mkdir never follows its last component), its
                // mode set through its own descriptor, and then renamed into place relative to descriptors.
                String inRoot = ".sandgate-mkdir-" + UUID.randomUUID();
                try (Dir top = openRoot()) {
                    try {
                        Files.createDirectory(root.resolve(inRoot));
                        try (Dir made = top.child(inRoot)) {
                            made.stream.getFileAttributeView(PosixFileAttributeView.class).setPermissions(mode);
                        }
                        top.stream.move(Path.of(inRoot), stream, Path.of(name));
                    } catch (IOException moved) {
                        if (attributes(name).isEmpty()) {
                            throw LocalFiles.translate(target, moved);
                        }
                    } finally {
                        try {
                            top.deleteDirectory(inRoot);
                        } catch (IOException gone) {
                            // moved into place, or removed
                        }
                    }
                }
            } catch (IOException e) {
                if (attributes(name).isEmpty()) {
                    throw LocalFiles.translate(target, e);
                }
                // something appeared under the name meanwhile: fine if it is a directory
            } finally {
                try {
                    Files.deleteIfExists(staging.resolve(staged));
                } catch (IOException ignored) {
                    // left for the sandbox's deletion
                }
            }
            PosixFileAttributes attrs = attributes(name).orElseThrow(() -> LocalFiles.notFound(target));
            if (!attrs.isDirectory() || attrs.isSymbolicLink()) {
                throw new SandgateException.InvalidRequest("path " + target + " exists and is not a directory");
            }
        }

        /** Removes entry {@code name}, which is not a directory ({@code unlinkat}: a link itself, never its target). */
        void deleteFile(String name) throws IOException {
            stream.deleteFile(Path.of(name));
        }

        /** Removes the empty directory {@code name}. */
        void deleteDirectory(String name) throws IOException {
            stream.deleteDirectory(Path.of(name));
        }

        @Override
        public void close() {
            try {
                stream.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }

        /**
         * Runs an open of entry {@code name} on the sandbox's open pool, waiting at most {@link #OPEN_DEADLINE}; see
         * the class comment for what happens past it.
         */
        private <T extends Closeable> T guarded(SandboxPath entry, String name, Callable<T> open) {
            CompletableFuture<T> opened;
            try {
                opened = CompletableFuture.supplyAsync(() -> {
                    try {
                        return open.call();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }, opens);
            } catch (RejectedExecutionException e) {
                throw new SandgateException.Unavailable("too many file operations are waiting in this sandbox");
            }
            try {
                return opened.get(OPEN_DEADLINE.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                try {
                    // The FIFO may be swapped back and forth under the name: knock until the open returns.
                    long until = System.nanoTime() + UNBLOCKED_WAIT.toNanos();
                    while (!opened.isDone() && System.nanoTime() - until < 0) {
                        unblock(name);
                        try {
                            opened.get(10, TimeUnit.MILLISECONDS);
                        } catch (TimeoutException notYet) {
                            // knock again
                        }
                    }
                    closeQuietly(opened.get(0, TimeUnit.NANOSECONDS));
                    throw notRegular(entry);
                } catch (TimeoutException | ExecutionException stillBlocked) {
                    opened.thenAccept(SandboxRoot::closeQuietly); // whenever it finally opens
                    throw new SandgateException.Unavailable("path " + entry + " could not be opened in time; is it "
                            + "a FIFO?");
                } catch (InterruptedException interrupted) {
                    opened.thenAccept(SandboxRoot::closeQuietly);
                    Thread.currentThread().interrupt();
                    throw new SandgateException.Unavailable("interrupted while opening " + entry);
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                if (cause instanceof IOException io) {
                    throw LocalFiles.translate(entry, io);
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new SandgateException.Unavailable("file operation on path " + entry + " failed");
            } catch (InterruptedException e) {
                opened.thenAccept(SandboxRoot::closeQuietly);
                Thread.currentThread().interrupt();
                throw new SandgateException.Unavailable("interrupted while opening " + entry);
            }
        }

        /** Opens {@code name} read-write and closes it: an open blocked on a FIFO there then returns. */
        private void unblock(String name) {
            try {
                stream.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)).close();
            } catch (IOException | RuntimeException e) {
                // not a FIFO any more: nothing to unblock there
            }
        }
    }

    /** {@code channel}, if it can seek (a regular file); closed and refused otherwise (a FIFO, a socket). */
    private static SeekableByteChannel seekable(SandboxPath path, SeekableByteChannel channel) {
        try {
            channel.position();
            return channel;
        } catch (IOException e) {
            closeQuietly(channel);
            throw notRegular(path);
        }
    }

    static SandgateException.InvalidRequest notRegular(SandboxPath path) {
        return new SandgateException.InvalidRequest("path " + path + " is not a regular file");
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException ignored) {
            // closing
        }
    }
}
