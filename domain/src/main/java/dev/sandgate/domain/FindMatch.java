package dev.sandgate.domain;

import java.util.Objects;

/** An entry {@code fs.find} found. */
public record FindMatch(SandboxPath path, boolean directory) {
    public FindMatch {
        Objects.requireNonNull(path, "path must not be null");
    }
}
