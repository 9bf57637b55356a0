package dev.sandgate.domain;

import java.util.List;
import java.util.Objects;

/** The entries of one directory, files and subdirectories apart, each sorted by name. */
public record DirectoryListing(SandboxPath path, List<FileEntry> files, List<FileEntry> subdirectories) {
    public DirectoryListing {
        Objects.requireNonNull(path, "path must not be null");
        files = List.copyOf(Objects.requireNonNull(files, "files must not be null"));
        subdirectories = List.copyOf(Objects.requireNonNull(subdirectories, "subdirectories must not be null"));
    }
}
