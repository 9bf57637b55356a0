package dev.sandgate.ports;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.SandboxPath;
import java.util.Optional;

/**
 * Files of one sandbox. Paths are sandbox paths; a path that would leave the sandbox (through a symlink) gives
 * {@code InvalidRequest}, a missing one {@code NotFound}, one over the size limit {@code InvalidRequest}
 * ({@code TOO_LARGE}).
 */
public interface FileOperations {
    /** The file or directory at {@code path}. */
    FileEntry stat(SandboxPath path);

    /** A regular file's metadata and bytes; {@code InvalidRequest} for a directory. */
    FileContent readFile(SandboxPath path);

    /** A directory's entries; {@code InvalidRequest} for a file. */
    DirectoryListing listDirectory(SandboxPath path);

    /** Writes a whole file, creating parent directories; permissions default to {@code 0644}. */
    FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions);

    /** Creates a directory and its parents (no error when it exists). */
    FileEntry makeDirectory(SandboxPath path, String permissions);

    /** Removes a file or an empty directory, or a whole tree with {@code recursive}; the root cannot be removed. */
    void remove(SandboxPath path, boolean recursive);
}
