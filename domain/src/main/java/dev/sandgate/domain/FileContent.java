package dev.sandgate.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A file's metadata and bytes. The bytes are copied in and out, so the record stays immutable. */
public record FileContent(FileEntry entry, byte[] bytes) {
    public FileContent {
        Objects.requireNonNull(entry, "entry must not be null");
        bytes = Objects.requireNonNull(bytes, "bytes must not be null").clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The content decoded as UTF-8 (malformed input replaced). */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileContent f && f.entry.equals(entry) && Arrays.equals(f.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * entry.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "FileContent[entry=" + entry + ", size=" + bytes.length + "]";
    }
}
