package dev.sandgate.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/** A file or directory inside a sandbox: its path, size in bytes, octal permissions ({@code 0644}) and mtime. */
public record FileEntry(SandboxPath path, boolean directory, long size, String permissions, Instant lastModified) {
    private static final Pattern OCTAL = Pattern.compile("0?[0-7]{3,4}");

    public FileEntry {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(permissions, "permissions must not be null");
        Objects.requireNonNull(lastModified, "lastModified must not be null");
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " must not be negative");
        }
        requirePermissions(permissions);
    }

    /** Checks an octal permission string such as {@code 0644} or {@code 755}. */
    public static String requirePermissions(String permissions) {
        Objects.requireNonNull(permissions, "permissions must not be null");
        if (!OCTAL.matcher(permissions).matches()) {
            throw new IllegalArgumentException("permissions '" + Names.printable(permissions)
                    + "' are invalid: give octal digits such as 0644");
        }
        return permissions;
    }

    /** The last path segment ({@code /} for the root). */
    public String name() {
        return path.fileName().orElse("/");
    }
}
