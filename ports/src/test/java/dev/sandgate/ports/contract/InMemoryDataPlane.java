package dev.sandgate.ports.contract;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.LogStream;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The data plane of one in-memory sandbox: emulated processes and a map of files. See {@link InMemorySandboxGateway}. */
final class InMemoryDataPlane implements DataPlane {
    private static final Pattern ECHO = Pattern.compile("echo (\\S+)");
    private static final Pattern SLEEP = Pattern.compile("sleep (\\d{1,6})");
    private static final Pattern EXIT = Pattern.compile("exit (\\d{1,3})");
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private static final int SIGTERM_EXIT = 128 + 15;
    private static final int SIGKILL_EXIT = 128 + 9;

    private final SandboxName sandbox;
    private final Clock clock;
    private final Executor callbacks;
    private final Map<String, Proc> processes = new LinkedHashMap<>();
    private final Map<SandboxPath, Node> files = new TreeMap<>(Comparator.comparing(SandboxPath::value));
    private int nextPid = 1000;
    private boolean destroyed;

    private record Node(boolean directory, byte[] bytes, String permissions, Instant lastModified) {
    }

    private static final class Proc {
        ProcessInfo info;
        /** With {@code stdin}: what was written and not yet ended by a line feed; null without stdin. */
        StringBuilder pendingInput;
        boolean inputClosed;
        final List<LogLine> lines = new ArrayList<>();
        final List<Subscription> subscribers = new ArrayList<>();

        Proc(ProcessInfo info) {
            this.info = info;
        }
    }

    private final class Subscription implements LogSubscription {
        private final LogListener listener;
        private boolean cancelled;

        Subscription(LogListener listener) {
            this.listener = listener;
        }

        void deliver(Consumer<LogListener> call) {
            try {
                callbacks.execute(() -> {
                    synchronized (this) {
                        if (!cancelled) {
                            call.accept(listener);
                        }
                    }
                });
            } catch (RejectedExecutionException closed) {
                // the gateway was closed: nobody listens any more
            }
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
        }
    }

    InMemoryDataPlane(SandboxName sandbox, Clock clock, Executor callbacks) {
        this.sandbox = sandbox;
        this.clock = clock;
        this.callbacks = callbacks;
        files.put(SandboxPath.ROOT, new Node(true, new byte[0], "0755", clock.instant()));
    }

    @Override
    public SandboxName sandbox() {
        return sandbox;
    }

    /** The sandbox was deleted: running processes are stopped and every later call is {@code NotFound}. */
    synchronized void destroy() {
        for (Proc proc : processes.values()) {
            if (proc.info.isRunning()) {
                finish(proc, ProcessStatus.STOPPED, SIGTERM_EXIT);
            }
        }
        destroyed = true;
    }

    // ---- processes ----

    @Override
    public synchronized ProcessInfo exec(ProcessSpec spec) {
        requireAlive();
        SandboxPath workingDir = spec.workingDir().orElse(SandboxPath.ROOT);
        Node dir = files.get(workingDir);
        if (dir == null || !dir.directory()) {
            throw SandgateException.InvalidRequest.unprocessable("could not execute command '" + spec.command()
                    + "' because folder '" + workingDir + "' does not exist");
        }
        spec.name().ifPresent(name -> {
            boolean taken = processes.values().stream().anyMatch(p -> p.info.isRunning() && p.info.name().equals(name));
            if (taken) {
                throw new SandgateException.Conflict("process with name '" + name + "' already exists and is running");
            }
        });
        if (!spec.waitForPorts().isEmpty()) {
            throw SandgateException.InvalidRequest.unprocessable("the in-memory gateway has no ports to wait for");
        }
        String command = spec.command().strip();
        Matcher echo = ECHO.matcher(command);
        Matcher sleep = SLEEP.matcher(command);
        Matcher exit = EXIT.matcher(command);
        boolean cat = command.equals("cat") && spec.stdin();
        if (!echo.matches() && !sleep.matches() && !exit.matches() && !cat) {
            throw new SandgateException.InvalidRequest("the in-memory gateway emulates only 'echo <word>', "
                    + "'sleep <seconds>', 'exit <code>' and 'cat' with stdin, not '" + command + "'");
        }
        String pid = Integer.toString(nextPid++);
        ProcessName name = spec.name().orElse(ProcessName.of("proc-" + pid));
        Instant now = clock.instant();
        Proc proc = new Proc(new ProcessInfo(pid, name, spec.command(), ProcessStatus.RUNNING, Optional.empty(),
                workingDir, now, Optional.empty(), 0, spec.keepAlive(), spec.restartOnFailure(), spec.maxRestarts(),
                false, spec.startedBy()));
        processes.put(pid, proc);
        if (spec.stdin()) {
            proc.pendingInput = new StringBuilder();
        }
        if (echo.matches()) {
            proc.lines.add(LogLine.stdout(echo.group(1)));
            proc.info = proc.info.exited(0, now);
        } else if (exit.matches()) {
            proc.info = proc.info.exited(Integer.parseInt(exit.group(1)), now);
        }
        if (spec.waitForCompletion()) {
            awaitExit(proc, spec.timeout().orElse(DEFAULT_WAIT));
        }
        return proc.info;
    }

    private void awaitExit(Proc proc, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (proc.info.isRunning()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandgateException.Unavailable("interrupted while waiting for process " + proc.info.pid(), e);
            }
        }
    }

    @Override
    public synchronized List<ProcessInfo> listProcesses() {
        requireAlive();
        return processes.values().stream().map(p -> p.info).toList();
    }

    @Override
    public synchronized ProcessInfo getProcess(String identifier) {
        return find(identifier).info;
    }

    @Override
    public synchronized ProcessInfo stopProcess(String identifier) {
        Proc proc = find(identifier);
        if (!proc.info.isRunning()) {
            throw new SandgateException.NotFound("process " + identifier + " is not running");
        }
        finish(proc, ProcessStatus.STOPPED, SIGTERM_EXIT);
        return proc.info;
    }

    @Override
    public synchronized ProcessInfo killProcess(String identifier) {
        Proc proc = find(identifier);
        if (proc.info.isRunning()) {
            finish(proc, ProcessStatus.KILLED, SIGKILL_EXIT);
        }
        return proc.info;
    }

    @Override
    public synchronized ProcessLogs logs(String identifier) {
        Proc proc = find(identifier);
        return new ProcessLogs(join(proc, LogStream.STDOUT), join(proc, LogStream.STDERR), join(proc, null), false);
    }

    @Override
    public synchronized LogSubscription streamLogs(String identifier, LogListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Proc proc = find(identifier);
        Subscription subscription = new Subscription(listener);
        for (LogLine line : proc.lines) {
            subscription.deliver(l -> l.onLine(line));
        }
        if (proc.info.isRunning()) {
            proc.subscribers.add(subscription);
        } else {
            subscription.deliver(LogListener::onEnd);
        }
        return subscription;
    }

    /** {@code cat}: complete lines of the input become output lines. */
    @Override
    public synchronized void writeStdin(String identifier, byte[] data) {
        Objects.requireNonNull(data, "data must not be null");
        Proc proc = inputOf(identifier);
        proc.pendingInput.append(new String(data, java.nio.charset.StandardCharsets.UTF_8));
        int nl;
        while ((nl = proc.pendingInput.indexOf("\n")) >= 0) {
            emit(proc, proc.pendingInput.substring(0, nl));
            proc.pendingInput.delete(0, nl + 1);
        }
    }

    /** {@code cat} at end of input: the last partial line is written and the process completes. */
    @Override
    public synchronized void closeStdin(String identifier) {
        Proc proc = find(identifier);
        if (proc.pendingInput != null && proc.inputClosed) {
            return;
        }
        inputOf(identifier);
        proc.inputClosed = true;
        if (proc.pendingInput.length() > 0) {
            emit(proc, proc.pendingInput.toString());
            proc.pendingInput.setLength(0);
        }
        proc.info = proc.info.exited(0, clock.instant());
        proc.subscribers.forEach(s -> s.deliver(LogListener::onEnd));
        proc.subscribers.clear();
        notifyAll();
    }

    private Proc inputOf(String identifier) {
        Proc proc = find(identifier);
        if (proc.pendingInput == null) {
            throw new SandgateException.InvalidRequest("process '" + identifier + "' was not started with stdin");
        }
        if (!proc.info.isRunning()) {
            throw new SandgateException.NotFound("process '" + identifier + "' is not running");
        }
        if (proc.inputClosed) {
            throw new SandgateException.InvalidRequest("the input of process '" + identifier + "' is closed");
        }
        return proc;
    }

    private void emit(Proc proc, String text) {
        LogLine line = LogLine.stdout(text);
        proc.lines.add(line);
        proc.subscribers.forEach(s -> s.deliver(l -> l.onLine(line)));
    }

    private void finish(Proc proc, ProcessStatus status, int exitCode) {
        proc.info = proc.info.withStatus(status).exited(exitCode, clock.instant());
        proc.subscribers.forEach(s -> s.deliver(LogListener::onEnd));
        proc.subscribers.clear();
        notifyAll();
    }

    private Proc find(String identifier) {
        Objects.requireNonNull(identifier, "identifier must not be null");
        requireAlive();
        Proc byPid = processes.get(identifier);
        if (byPid != null) {
            return byPid;
        }
        Proc latest = null;
        for (Proc proc : processes.values()) {
            if (proc.info.name().value().equals(identifier)) {
                latest = proc;
            }
        }
        if (latest == null) {
            throw new SandgateException.NotFound("process " + identifier + " not found");
        }
        return latest;
    }

    private static String join(Proc proc, LogStream stream) {
        return proc.lines.stream()
                .filter(l -> stream == null || l.stream() == stream)
                .map(l -> l.text() + "\n")
                .collect(Collectors.joining());
    }

    // ---- files ----

    @Override
    public synchronized FileEntry stat(SandboxPath path) {
        return entry(path, existing(path));
    }

    @Override
    public synchronized FileContent readFile(SandboxPath path) {
        Node node = existing(path);
        if (node.directory()) {
            throw new SandgateException.InvalidRequest(path + " is a directory");
        }
        return new FileContent(entry(path, node), node.bytes());
    }

    @Override
    public synchronized DirectoryListing listDirectory(SandboxPath path) {
        Node node = existing(path);
        if (!node.directory()) {
            throw new SandgateException.InvalidRequest(path + " is not a directory");
        }
        List<FileEntry> regular = new ArrayList<>();
        List<FileEntry> directories = new ArrayList<>();
        files.forEach((p, n) -> {
            if (!p.isRoot() && p.parent().equals(path)) {
                (n.directory() ? directories : regular).add(entry(p, n));
            }
        });
        return new DirectoryListing(path, regular, directories);
    }

    @Override
    public synchronized FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
        requireAlive();
        Objects.requireNonNull(content, "content must not be null");
        String mode = permissions(permissions.orElse("0644"));
        Node existing = files.get(path);
        if (existing != null && existing.directory()) {
            throw new SandgateException.InvalidRequest(path + " is a directory");
        }
        makeDirectories(path.parent(), "0755");
        Node node = new Node(false, content.clone(), mode, clock.instant());
        files.put(path, node);
        changed(existing == null ? "CREATE" : "WRITE", path);
        return entry(path, node);
    }

    @Override
    public synchronized FileEntry makeDirectory(SandboxPath path, String permissions) {
        requireAlive();
        makeDirectories(path, permissions(permissions));
        return entry(path, files.get(path));
    }

    @Override
    public synchronized void remove(SandboxPath path, boolean recursive) {
        requireAlive();
        if (path.isRoot()) {
            throw new SandgateException.InvalidRequest("the root directory cannot be removed");
        }
        Node node = existing(path);
        boolean hasChildren = files.keySet().stream().anyMatch(p -> !p.equals(path) && path.contains(p));
        if (node.directory() && hasChildren && !recursive) {
            throw SandgateException.InvalidRequest.unprocessable("directory " + path + " is not empty");
        }
        List<SandboxPath> gone = files.keySet().stream().filter(path::contains).toList();
        files.keySet().removeIf(path::contains);
        gone.forEach(p -> changed("REMOVE", p));
    }

    private record Watch(SandboxPath root, List<String> ignore, dev.sandgate.ports.FileEventListener listener) {
    }

    private final List<Watch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Tells every watch whose tree holds {@code path} (outside ignored directories), on the callback executor. */
    private void changed(String op, SandboxPath path) {
        for (Watch w : watches) {
            if (path.isRoot() || !w.root().contains(path) || path.equals(w.root())) {
                continue;
            }
            String below = path.value().substring(w.root().isRoot() ? 1 : w.root().value().length() + 1);
            if (java.util.Arrays.stream(below.split("/")).anyMatch(w.ignore()::contains)) {
                continue;
            }
            dev.sandgate.domain.FileEvent event = new dev.sandgate.domain.FileEvent(op, path.parent(),
                    path.fileName().orElseThrow());
            callbacks.execute(() -> {
                if (watches.contains(w)) {
                    w.listener().onEvent(event);
                }
            });
        }
    }

    @Override
    public synchronized LogSubscription watch(SandboxPath root, List<String> ignore,
                                              dev.sandgate.ports.FileEventListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Node node = existing(root);
        if (!node.directory()) {
            throw new SandgateException.InvalidRequest(root + " is not a directory");
        }
        Watch watch = new Watch(root, List.copyOf(ignore), listener);
        watches.add(watch);
        return () -> watches.remove(watch);
    }

    private void makeDirectories(SandboxPath path, String mode) {
        if (path.isRoot()) {
            return;
        }
        makeDirectories(path.parent(), mode);
        Node node = files.get(path);
        if (node == null) {
            files.put(path, new Node(true, new byte[0], mode, clock.instant()));
            changed("CREATE", path);
        } else if (!node.directory()) {
            throw new SandgateException.InvalidRequest(path + " is a file, not a directory");
        }
    }

    private Node existing(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        requireAlive();
        Node node = files.get(path);
        if (node == null) {
            throw new SandgateException.NotFound(path + " not found");
        }
        return node;
    }

    private static FileEntry entry(SandboxPath path, Node node) {
        return new FileEntry(path, node.directory(), node.bytes().length, node.permissions(), node.lastModified());
    }

    private static String permissions(String permissions) {
        try {
            return FileEntry.requirePermissions(permissions);
        } catch (IllegalArgumentException e) {
            throw new SandgateException.InvalidRequest(e.getMessage(), e);
        }
    }

    private void requireAlive() {
        if (destroyed) {
            throw new SandgateException.NotFound("sandbox " + sandbox + " not found");
        }
    }
}
