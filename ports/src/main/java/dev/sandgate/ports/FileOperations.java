package dev.sandgate.ports;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.SandboxPath;
import java.util.List;
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

    /**
     * A regular file's content decoded as UTF-8 (malformed input replaced), as {@code readFile(path).text()}; an
     * implementation over the wire overrides it to read text in one request. {@code InvalidRequest} for a directory.
     */
    default String readText(SandboxPath path) {
        return readFile(path).text();
    }

    /** A directory's entries; {@code InvalidRequest} for a file. */
    DirectoryListing listDirectory(SandboxPath path);

    /** Writes a whole file, creating parent directories; permissions default to {@code 0644}. */
    FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions);

    /** Creates a directory and its parents (no error when it exists). */
    FileEntry makeDirectory(SandboxPath path, String permissions);

    /** Removes a file or an empty directory, or a whole tree with {@code recursive}; the root cannot be removed. */
    void remove(SandboxPath path, boolean recursive);

    /**
     * {@code fs.find}: the entries below {@code root} (not {@code root} itself) that the query matches, at most
     * {@code maxResults}. This default walks the tree through {@link #listDirectory} (see {@link FileWalk} for the
     * order and bounds); an adapter with a native form overrides it.
     */
    default List<FindMatch> find(SandboxPath root, FindQuery query) {
        return FileWalk.find(this, root, query);
    }

    /**
     * {@code fs.grep}: the lines holding the query's text in the text files below {@code root} (or {@code root}
     * itself, if a file). This default reads them through {@link #readFile} (see {@link FileWalk}); an adapter with
     * a native form overrides it.
     */
    default List<GrepMatch> grep(SandboxPath root, GrepQuery query) {
        return FileWalk.grep(this, root, query);
    }

    /**
     * {@code fs.watch}: reports the changes below the directory {@code root} (its subdirectories included, except
     * those named in {@code ignore}) to {@code listener} until the returned subscription is cancelled.
     * {@code NotFound} (thrown) when {@code root} does not exist, {@code InvalidRequest} when it is a file.
     */
    LogSubscription watch(SandboxPath root, List<String> ignore, FileEventListener listener);
}
