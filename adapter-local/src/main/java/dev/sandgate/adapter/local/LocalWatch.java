package dev.sandgate.adapter.local;

import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.FileEventListener;
import dev.sandgate.ports.LogSubscription;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
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
 */
final class LocalWatch implements LogSubscription {
    /** The most directories one watch follows. */
    static final int MAX_DIRECTORIES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(LocalWatch.class);

    private final Path rootDir;
    private final SandboxPath rootPath;
    private final List<String> ignore;
    private final FileEventListener listener;
    private final WatchService service;
    private final Map<WatchKey, SandboxPath> keys = new ConcurrentHashMap<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();

    private LocalWatch(Path rootDir, SandboxPath rootPath, List<String> ignore, FileEventListener listener)
            throws IOException {
        this.rootDir = rootDir;
        this.rootPath = rootPath;
        this.ignore = List.copyOf(ignore);
        this.listener = listener;
        this.service = rootDir.getFileSystem().newWatchService();
    }

    /** Starts watching {@code dir} (a real directory inside the sandbox), which is {@code path} in the sandbox. */
    static LocalWatch start(Path dir, SandboxPath path, List<String> ignore, FileEventListener listener) {
        try {
            LocalWatch watch = new LocalWatch(dir, path, ignore, listener);
            watch.registerTree(dir, path);
            Thread thread = new Thread(watch::run, "sandgate-watch");
            thread.setDaemon(true);
            thread.start();
            return watch;
        } catch (IOException e) {
            throw new SandgateException.Unavailable("could not watch " + path + ": " + e.getMessage(), e);
        }
    }

    private void registerTree(Path dir, SandboxPath path) throws IOException {
        Deque<Map.Entry<Path, SandboxPath>> pending = new ArrayDeque<>();
        pending.push(Map.entry(dir, path));
        while (!pending.isEmpty() && keys.size() < MAX_DIRECTORIES) {
            var next = pending.pop();
            WatchKey key;
            try {
                key = next.getKey().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException vanished) {
                continue;
            }
            keys.put(key, next.getValue());
            try (DirectoryStream<Path> children = Files.newDirectoryStream(next.getKey())) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    if (!ignore.contains(name) && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            pending.push(Map.entry(child, next.getValue().resolve(name)));
                        } catch (IllegalArgumentException unrepresentable) {
                            // a name no sandbox path can carry
                        }
                    }
                }
            } catch (IOException vanished) {
                // removed while we looked
            }
        }
    }

    private void run() {
        try {
            while (!cancelled.get()) {
                WatchKey key = service.take();
                SandboxPath dir = keys.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (dir == null || event.kind() == StandardWatchEventKinds.OVERFLOW || cancelled.get()) {
                        continue;
                    }
                    String name = event.context().toString();
                    String op = event.kind() == StandardWatchEventKinds.ENTRY_CREATE ? "CREATE"
                            : event.kind() == StandardWatchEventKinds.ENTRY_DELETE ? "REMOVE" : "WRITE";
                    if (op.equals("CREATE") && !ignore.contains(name)) {
                        Path created = ((Path) key.watchable()).resolve(name);
                        if (Files.isDirectory(created, LinkOption.NOFOLLOW_LINKS)) {
                            registerTree(created, dir.resolve(name));
                        }
                    }
                    deliver(new FileEvent(op, dir, name));
                }
                if (!key.reset()) {
                    keys.remove(key);
                    if (keys.isEmpty() && !cancelled.get()) {
                        listener.onError(new SandgateException.NotFound(rootPath + " is gone"));
                        cancel();
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // cancelled
        } catch (IOException | RuntimeException e) {
            LOG.debug("watch of {} under {} failed: {}", rootPath, rootDir, e.toString());
            if (!cancelled.get()) {
                listener.onError(new SandgateException.Unavailable("the watch of " + rootPath + " failed", e));
            }
            cancel();
        }
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
