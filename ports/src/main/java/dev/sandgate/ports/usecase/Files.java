package dev.sandgate.ports.usecase;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.ports.DataPlane;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Files of one sandbox, addressed by sandbox paths such as {@code /app/index.html}: each call takes a
 * {@link SandboxPath} or the same path as a string.
 */
public final class Files {
    private final DataPlane dataPlane;

    Files(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    /** The file's content as UTF-8 text. */
    public String read(SandboxPath path) {
        return dataPlane.readText(Objects.requireNonNull(path, "path must not be null"));
    }

    public String read(String path) {
        return read(SandboxPath.of(path));
    }

    public FileContent readBinary(SandboxPath path) {
        return dataPlane.readFile(Objects.requireNonNull(path, "path must not be null"));
    }

    public FileContent readBinary(String path) {
        return readBinary(SandboxPath.of(path));
    }

    /** Writes {@code content} as UTF-8, creating the file and its parent directories. */
    public FileEntry write(SandboxPath path, String content) {
        Objects.requireNonNull(content, "content must not be null");
        return writeBinary(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public FileEntry write(String path, String content) {
        return write(SandboxPath.of(path), content);
    }

    public FileEntry writeBinary(SandboxPath path, byte[] content) {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(content, "content must not be null");
        return dataPlane.writeFile(path, content, Optional.empty());
    }

    public FileEntry writeBinary(String path, byte[] content) {
        return writeBinary(SandboxPath.of(path), content);
    }

    public DirectoryListing ls(SandboxPath path) {
        return dataPlane.listDirectory(Objects.requireNonNull(path, "path must not be null"));
    }

    public DirectoryListing ls(String path) {
        return ls(SandboxPath.of(path));
    }

    public FileEntry stat(SandboxPath path) {
        return dataPlane.stat(Objects.requireNonNull(path, "path must not be null"));
    }

    public FileEntry stat(String path) {
        return stat(SandboxPath.of(path));
    }

    public FileEntry mkdir(SandboxPath path) {
        return dataPlane.makeDirectory(Objects.requireNonNull(path, "path must not be null"), "0755");
    }

    public FileEntry mkdir(String path) {
        return mkdir(SandboxPath.of(path));
    }

    public void rm(SandboxPath path, boolean recursive) {
        dataPlane.remove(Objects.requireNonNull(path, "path must not be null"), recursive);
    }

    public void rm(String path, boolean recursive) {
        rm(SandboxPath.of(path), recursive);
    }

    /** Entries below {@code path} matching {@code query} (see {@link DataPlane#find}). */
    public List<FindMatch> find(SandboxPath path, FindQuery query) {
        return dataPlane.find(Objects.requireNonNull(path, "path must not be null"),
                Objects.requireNonNull(query, "query must not be null"));
    }

    public List<FindMatch> find(String path, FindQuery query) {
        return find(SandboxPath.of(path), query);
    }

    /** Lines holding {@code query}'s text in the files below {@code path} (see {@link DataPlane#grep}). */
    public List<GrepMatch> grep(SandboxPath path, GrepQuery query) {
        return dataPlane.grep(Objects.requireNonNull(path, "path must not be null"),
                Objects.requireNonNull(query, "query must not be null"));
    }

    public List<GrepMatch> grep(String path, GrepQuery query) {
        return grep(SandboxPath.of(path), query);
    }
}
