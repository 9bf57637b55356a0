package dev.sandgate.domain;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a session may do in its sandbox: the {@link Operation}s it may perform, the path prefixes its file operations
 * and a process's {@code workingDir} must lie under (empty: any path), and the ports its processes may be waited on
 * (empty: any port). {@link #full()} is everything, the scopes of a session minted without any (the wire protocol's
 * own {@code sessions.create}), which includes {@link Operation#PROCESS_OTHERS}: such a session reaches every process of
 * the sandbox, while a session whose scopes lack it reaches only the processes it started. A path prefix restricts what the file API names, after normalisation
 * ({@link SandboxPath}: {@code ..} cannot climb out); it does not restrict what a command started with
 * {@code process:exec} reads, since a shell in the sandbox sees the sandbox's whole file system.
 *
 * @param operations the operations allowed
 * @param paths      the path prefixes allowed; empty: any path
 * @param ports      the ports a process may be waited on; empty: any port
 */
public record SessionScopes(Set<Operation> operations, Optional<List<SandboxPath>> paths,
                            Optional<Set<Port>> ports) {
    /** One operation of the sandbox API a session may be allowed. */
    public enum Operation {
        /** Start a process ({@code POST /process}), write to its stdin. */
        PROCESS_EXEC("process:exec"),
        /** List processes, read one, its logs and their stream. */
        PROCESS_READ("process:read"),
        /** Stop or kill a process. */
        PROCESS_SIGNAL("process:signal"),
        /**
         * Reach the processes other sessions (or the API key) started, with what {@code process:read},
         * {@code process:signal} and {@code process:exec} allow; without it, a scoped session reaches only the
         * processes it started itself.
         */
        PROCESS_OTHERS("process:others"),
        /** Read a file or directory, find, search contents. */
        FS_READ("fs:read"),
        /** Write, upload or delete a file or directory. */
        FS_WRITE("fs:write"),
        /** Watch a directory for changes. */
        FS_WATCH("fs:watch");

        private final String wireName;

        Operation(String wireName) {
            this.wireName = wireName;
        }

        /** The scope's name on the wire, e.g. {@code fs:write}. */
        public String wireName() {
            return wireName;
        }

        /** The operation named {@code name} ({@code fs:read}...), ignoring case. */
        public static Operation of(String name) {
            Objects.requireNonNull(name, "scope must not be null");
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Operation o : values()) {
                if (o.wireName.equals(n)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown scope '" + Names.printable(name) + "': one of "
                    + Arrays.stream(values()).map(Operation::wireName).collect(Collectors.joining(", ")));
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    /** The most path prefixes and ports one session may name. */
    public static final int MAX_ENTRIES = 64;

    private static final SessionScopes FULL = new SessionScopes(EnumSet.allOf(Operation.class), Optional.empty(),
            Optional.empty());

    public SessionScopes {
        Objects.requireNonNull(operations, "operations must not be null");
        Objects.requireNonNull(paths, "paths must not be null");
        Objects.requireNonNull(ports, "ports must not be null");
        operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
        paths = paths.map(List::copyOf);
        ports = ports.map(Set::copyOf);
        if (paths.map(List::size).orElse(0) > MAX_ENTRIES || ports.map(Set::size).orElse(0) > MAX_ENTRIES) {
            throw new IllegalArgumentException("scopes name at most " + MAX_ENTRIES + " path prefixes and "
                    + MAX_ENTRIES + " ports");
        }
    }

    /** Every operation, any path, any port: a session minted without scopes. */
    public static SessionScopes full() {
        return FULL;
    }

    /** Only {@code operations}, on any path and port. */
    public static SessionScopes of(Operation... operations) {
        return new SessionScopes(Set.of(operations), Optional.empty(), Optional.empty());
    }

    /** These scopes with file operations and working directories limited to {@code prefixes}. */
    public SessionScopes withPaths(Collection<SandboxPath> prefixes) {
        return new SessionScopes(operations, Optional.of(List.copyOf(prefixes)), ports);
    }

    /** {@link #withPaths(Collection)} from strings, each normalised as a {@link SandboxPath}. */
    public SessionScopes withPaths(String... prefixes) {
        return withPaths(Arrays.stream(prefixes).map(SandboxPath::of).toList());
    }

    /** These scopes with processes waited on only at {@code allowed}. */
    public SessionScopes withPorts(Collection<Port> allowed) {
        return new SessionScopes(operations, paths, Optional.of(Set.copyOf(allowed)));
    }

    /** Whether these are {@link #full()}. */
    public boolean isFull() {
        return equals(FULL);
    }

    public boolean allows(Operation operation) {
        return operations.contains(Objects.requireNonNull(operation, "operation must not be null"));
    }

    /** Whether {@code path} is one of the prefixes or lies below one (any path when no prefix is set). */
    public boolean allowsPath(SandboxPath path) {
        Objects.requireNonNull(path, "path must not be null");
        return paths.map(list -> list.stream().anyMatch(p -> p.contains(path))).orElse(true);
    }

    public boolean allowsPort(Port port) {
        Objects.requireNonNull(port, "port must not be null");
        return ports.map(set -> set.contains(port)).orElse(true);
    }

    /** The operations' wire names, sorted (for stores and the wire). */
    public List<String> operationNames() {
        return operations.stream().map(Operation::wireName).collect(Collectors.toCollection(TreeSet::new))
                .stream().toList();
    }

    /** The scopes with operations named as on the wire; empty names: none. */
    public static Set<Operation> operationsNamed(Collection<String> names) {
        Set<Operation> ops = EnumSet.noneOf(Operation.class);
        for (String n : names) {
            ops.add(Operation.of(n));
        }
        return ops;
    }
}
