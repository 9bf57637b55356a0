package dev.sandgate.ports.usecase;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.ports.DataPlane;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/** Files of one sandbox, addressed by sandbox paths such as {@code /app/index.html}. */
public final class Files {
    private final DataPlane dataPlane;

    Files(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    public String read(String path) {
        return readBinary(path).text();
    }

    public FileContent readBinary(String path) {
        return dataPlane.readFile(SandboxPath.of(path));
    }

    public FileEntry write(String path, String content) {
        Objects.requireNonNull(content, "content must not be null");
        return writeBinary(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public FileEntry writeBinary(String path, byte[] content) {
        Objects.requireNonNull(content, "content must not be null");
        return dataPlane.writeFile(SandboxPath.of(path), content, Optional.empty());
    }

    public DirectoryListing ls(String path) {
        return dataPlane.listDirectory(SandboxPath.of(path));
    }

    public FileEntry stat(String path) {
        return dataPlane.stat(SandboxPath.of(path));
    }

    public FileEntry mkdir(String path) {
        return dataPlane.makeDirectory(SandboxPath.of(path), "0755");
    }

    public void rm(String path, boolean recursive) {
        dataPlane.remove(SandboxPath.of(path), recursive);
    }

    /** Entries below {@code path} matching {@code query} (see {@link DataPlane#find}). */
    public java.util.List<dev.sandgate.domain.FindMatch> find(String path, dev.sandgate.domain.FindQuery query) {
        return dataPlane.find(SandboxPath.of(path), Objects.requireNonNull(query, "query must not be null"));
    }

    /** Lines holding {@code query}'s text in the files below {@code path} (see {@link DataPlane#grep}). */
    public java.util.List<dev.sandgate.domain.GrepMatch> grep(String path, dev.sandgate.domain.GrepQuery query) {
        return dataPlane.grep(SandboxPath.of(path), Objects.requireNonNull(query, "query must not be null"));
    }
}
