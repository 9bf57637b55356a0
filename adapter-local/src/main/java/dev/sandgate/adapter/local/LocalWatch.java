package dev.sandgate.adapter.local;

import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.FileEventListener;
import dev.sandgate.ports.LogSubscription;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fs.watch} on this machine: the kernel's file notifications (inotify on Linux, through
 * {@link WatchService}) for a directory and every directory below it, except those named in {@code ignore} and those
 * reached through a symbolic link (never followed). Directories created later are watched as they appear. One
 * daemon thread per watch delivers the events in order; {@link #MAX_DIRECTORIES} bounds what one watch registers.
 * Kernel queue overflows are dropped silently, as inotify drops them.
 *
 * <p><b>Swaps.</b> inotify registers by path name and follows links, and a process in the sandbox may swap a
 * directory for a link at any moment. So every directory is found by {@link SandboxRoot}'s walk (descriptor by
 * descriptor, no link followed), registered by its host path, and kept only if the inode the walk opened, the inode
 * the host path names right after the registration and the inode a second walk opens are one and the same;
 * otherwise its key is cancelled before any of its events is delivered. Subdirectories are listed through the open
 * descriptor, and an event for a directory whose walk no longer leads to the registered inode is dropped and its key
 * cancelled. What is left is a swap that lands exactly inside the registration and is undone before the check: that
 * could keep a watch on a directory outside, which would report the <em>names</em> of entries changing there (never
 * contents, never a file operation) until the next event batch there is checked.
 */
final class LocalWatch implements LogSubscription {
    /** The most directories one watch follows. */
    static final int MAX_DIRECTORIES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(LocalWatch.class);

    private final SandboxRoot sandbox;
    private final SandboxPath rootPath;
    private final List<String> ignore;
    private final FileEventListener listener;
    private final WatchService service;
    private final Map<WatchKey, Watched> keys = new ConcurrentHashMap<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** A registered directory: its sandbox path and the identity (device and inode) of what the walk opened. */
    private record Watched(SandboxPath path, Object fileKey, java.util.Set<String> known) {
    }

    private LocalWatch(SandboxRoot sandbox, SandboxPath rootPath, List<String> ignore, FileEventListener listener)
            throws IOException {
        this.sandbox = sandbox;
        this.rootPath = rootPath;
        this.ignore = List.copyOf(ignore);
        this.listener = listener;
        this.service = sandbox.hostPath(rootPath).getFileSystem().newWatchService();
    }

    /** Starts watching the directory {@code path} of the sandbox. */
    static LocalWatch start(SandboxRoot sandbox, SandboxPath path, List<String> ignore, FileEventListener listener) {
        try {
            LocalWatch watch = new LocalWatch(sandbox, path, ignore, listener);
            watch.registerTree(path);
            if (watch.keys.isEmpty()) {
                watch.cancel();
                throw new SandgateException.InvalidRequest("path " + path + " changed while it was being watched");
            }
            Thread thread = new Thread(watch::run, "sandgate-watch");
            thread.setDaemon(true);
            thread.start();
            return watch;
        } catch (IOException e) {
            throw new SandgateException.Unavailable("could not watch " + path, e);
        }
    }

    private void registerTree(SandboxPath top) {
        Deque<SandboxPath> pending = new ArrayDeque<>();
        pending.push(top);
        while (!pending.isEmpty() && keys.size() < MAX_DIRECTORIES) {
            SandboxPath next = pending.pop();
            try (SandboxRoot.Dir dir = sandbox.open(next)) {
                Object walked = dir.attributes().fileKey();
                Path host = sandbox.hostPath(next);
                WatchKey key = host.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                if (keys.containsKey(key)) {
                    continue; // that inode is watched already (and was checked then)
                }
                if (!walked.equals(hostKey(host)) || !walked.equals(walkedKey(next))) {
                    key.cancel(); // swapped under us: what the name led to is not what the walk opened
                    continue;
                }
                java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
                keys.put(key, new Watched(next, walked, known));
                for (String name : dir.names()) {
                    known.add(name);
                    if (ignore.contains(name)) {
                        continue;
                    }
                    var attrs = dir.attributes(name);
                    if (attrs.isPresent() && attrs.get().isDirectory()) {
                        try {
                            pending.push(next.resolve(name));
                        } catch (IllegalArgumentException unrepresentable) {
                            // a name no sandbox path can carry
                        }
                    }
                }
            } catch (SandgateException | IOException | java.nio.file.DirectoryIteratorException vanished) {
                // removed, replaced by a link or not a directory any more: not watched
            }
        }
    }

    private static Object hostKey(Path host) {
        try {
            return Files.readAttributes(host, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return e;
        }
    }

    private Object walkedKey(SandboxPath path) {
        try (SandboxRoot.Dir dir = sandbox.open(path)) {
            return dir.attributes().fileKey();
        } catch (SandgateException e) {
            return e;
        }
    }

    private void run() {
        try {
            while (!cancelled.get()) {
                WatchKey key = service.take();
                Watched watched = keys.get(key);
                if (watched != null && !watched.fileKey().equals(walkedKey(watched.path()))) {
                    keys.remove(key); // the directory was replaced: stop listening to what is there now
                    key.cancel();
                    watched = null;
                }
                List<WatchEvent<?>> events = key.pollEvents();
                for (WatchEvent<?> event : events) {
                    if (watched == null || event.kind() == StandardWatchEventKinds.OVERFLOW || cancelled.get()) {
                        continue;
                    }
                    SandboxPath dir = watched.path();
                    String name = event.context().toString();
                    String op = event.kind() == StandardWatchEventKinds.ENTRY_CREATE ? "CREATE"
                            : event.kind() == StandardWatchEventKinds.ENTRY_DELETE ? "REMOVE" : "WRITE";
                    if (!genuine(watched, op, name)) {
                        continue;
                    }
                    if (op.equals("CREATE") && !ignore.contains(name)) {
                        try {
                            registerTree(dir.resolve(name));
                        } catch (IllegalArgumentException unrepresentable) {
                            // a name no sandbox path can carry
                        }
                    }
                    deliver(new FileEvent(op, dir, name));
                }
                if (!key.reset() || watched == null) {
                    keys.remove(key);
                    if (keys.isEmpty() && !cancelled.get()) {
                        listener.onError(new SandgateException.NotFound(rootPath + " is gone"));
                        cancel();
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // cancelled
        } catch (RuntimeException e) {
            LOG.debug("watch of {} failed: {}", rootPath, e.toString());
            if (!cancelled.get()) {
                listener.onError(new SandgateException.Unavailable("the watch of " + rootPath + " failed", e));
            }
            cancel();
        }
    }

    /**
     * Whether an event is about the directory the walk opened, and not about one a swap put under its name while it
     * was being registered (inotify registers by name): a created or written entry must be there when the
     * directory is walked to again, descriptor by descriptor; a removed one must have been seen there before (at
     * registration, or by an earlier event that passed this check). An entry made and removed at once inside the
     * sandbox may so go unreported; nothing of another directory is ever reported.
     */
    private boolean genuine(Watched watched, String op, String name) {
        if (op.equals("REMOVE")) {
            return watched.known().remove(name);
        }
        try (SandboxRoot.Dir dir = sandbox.open(watched.path())) {
            if (!watched.fileKey().equals(dir.attributes().fileKey()) || dir.attributes(name).isEmpty()) {
                return false;
            }
        } catch (RuntimeException gone) {
            return false;
        }
        watched.known().add(name);
        return true;
    }

    private void deliver(FileEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.debug("a watch listener failed: {}", e.toString());
        }
    }

    @Override
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            try {
                service.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
