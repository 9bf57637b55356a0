package dev.sandgate.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A normalised absolute path inside a sandbox, as the sandbox API reads it: empty means {@code /}, a missing leading
 * {@code /} is added, repeated {@code /} collapse, {@code .} segments vanish and {@code ..} removes the previous
 * segment but never climbs above {@code /}. NUL characters and paths over 4096 bytes are refused. The result says
 * nothing about where the sandbox lives on a disk; adapters resolve it under their own root.
 */
public record SandboxPath(String value) {
    public static final SandboxPath ROOT = new SandboxPath("/");
    private static final int MAX_LENGTH = 4096;

    public SandboxPath {
        value = normalise(Objects.requireNonNull(value, "path must not be null"));
    }

    public static SandboxPath of(String value) {
        return new SandboxPath(value);
    }

    private static String normalise(String raw) {
        if (raw.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path '" + Names.printable(raw) + "' contains a NUL character");
        }
        requireLength(raw, raw);
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : raw.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        // Checked again once normalised ("x" becomes "/x"), so that every path's value is itself a valid path.
        return requireLength(raw, "/" + String.join("/", segments));
    }

    private static String requireLength(String raw, String path) {
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_LENGTH) {
            throw new IllegalArgumentException("path '" + Names.printable(raw) + "' is " + bytes
                    + " bytes long (at most " + MAX_LENGTH + ")");
        }
        return path;
    }

    public boolean isRoot() {
        return value.equals("/");
    }

    /** The segments below {@code /}, outermost first; empty for the root. */
    public List<String> segments() {
        return isRoot() ? List.of() : List.of(value.substring(1).split("/"));
    }

    /** The last segment, or empty for the root. */
    public Optional<String> fileName() {
        List<String> s = segments();
        return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
    }

    /** The enclosing directory; the root is its own parent. */
    public SandboxPath parent() {
        int slash = value.lastIndexOf('/');
        return slash <= 0 ? ROOT : new SandboxPath(value.substring(0, slash));
    }

    /** A path below this one; {@code child} is normalised relative to this path and cannot climb above the root. */
    public SandboxPath resolve(String child) {
        Objects.requireNonNull(child, "child must not be null");
        return new SandboxPath(value + "/" + child);
    }

    /** Whether {@code other} is this path or lies below it. */
    public boolean contains(SandboxPath other) {
        return isRoot() || other.value.equals(value) || other.value.startsWith(value + "/");
    }

    @Override
    public String toString() {
        return value;
    }
}
