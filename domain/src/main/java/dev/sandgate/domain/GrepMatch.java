package dev.sandgate.domain;

import java.util.Objects;
import java.util.Optional;

/** A line holding a {@code fs.grep} query: 1-based line and column (in characters), the line, and its context. */
public record GrepMatch(SandboxPath path, int line, int column, String text, Optional<String> context) {
    public GrepMatch {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(text, "text must not be null");
        Objects.requireNonNull(context, "context must not be null");
    }
}
