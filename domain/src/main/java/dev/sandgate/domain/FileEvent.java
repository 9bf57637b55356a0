package dev.sandgate.domain;

import java.util.Objects;
import java.util.Set;

/**
 * A change under a watched directory, as {@code fs.watch} reports it: what happened ({@code CREATE}, {@code WRITE},
 * {@code REMOVE}, {@code RENAME} or {@code CHMOD}), the directory it happened in and the entry's name there.
 */
public record FileEvent(String op, SandboxPath path, String name) {
    public static final Set<String> OPS = Set.of("CREATE", "WRITE", "REMOVE", "RENAME", "CHMOD");

    public FileEvent {
        Objects.requireNonNull(op, "op must not be null");
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(name, "name must not be null");
        if (!OPS.contains(op)) {
            throw new IllegalArgumentException("op '" + Names.printable(op) + "' is invalid: give one of " + OPS);
        }
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("name '" + Names.printable(name) + "' is invalid: give one entry name");
        }
    }

    /** The changed entry's own path. */
    public SandboxPath entry() {
        return path.resolve(name);
    }
}
