package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.SandboxPath;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import static dev.sandgate.adapter.vertx.WireJson.*;

/**
 * The sandbox API's file bodies (protocol section c): entries, listings, find and grep answers, write
 * acknowledgements and the lines of the watch stream. Part of the broker's wire mapping ({@link WireJson}).
 */
final class FileWire {
    /** {@code fs.watch}: one JSON event ({@code {"op","path","name"}}) per line, {@code [keepalive]} lines between. */
    static final LineStream.Format<FileEvent> WATCH_STREAM = new LineStream.Format<>() {
        @Override
        public String contentType() {
            return "application/x-ndjson";
        }

        @Override
        public Buffer line(FileEvent event) {
            return ndjson(fileEvent(event));
        }

        @Override
        public Buffer keepalive() {
            return keepaliveLine();
        }

        @Override
        public Buffer dropped(long lines) {
            return ndjson(watchDropped(lines));
        }

        @Override
        public Buffer closing(String reason) {
            return ndjson(watchClosed(reason));
        }
    };

    private FileWire() {
    }

    // ---- files ----

    static JsonObject file(FileEntry e) {
        return new JsonObject()
                .put("name", e.name())
                .put("path", e.path().value())
                .put("size", e.size())
                .put("permissions", e.permissions())
                .put("owner", "")
                .put("group", "")
                .put("lastModified", e.lastModified().toString());
    }

    static JsonObject fileWithContent(FileContent f) {
        return file(f.entry()).put("content", f.text());
    }

    static JsonObject directory(DirectoryListing d) {
        return new JsonObject()
                .put("name", d.path().fileName().orElse("/"))
                .put("path", d.path().value())
                .put("files", new JsonArray(d.files().stream().map(FileWire::file).toList()))
                .put("subdirectories", new JsonArray(d.subdirectories().stream().map(FileWire::file).toList()));
    }

    /** {@code fs.find}'s answer: {@code {"matches":[{"path","type"}],"total"}}. */
    static JsonObject find(List<FindMatch> found) {
        return new JsonObject()
                .put("matches", new JsonArray(found.stream().map(m -> new JsonObject()
                        .put("path", m.path().value())
                        .put("type", m.directory() ? "directory" : "file")).toList()))
                .put("total", found.size());
    }

    /** {@code fs.grep}'s answer: {@code {"matches":[{"path","line","column","text","context"?}],"query","total"}}. */
    static JsonObject grep(List<GrepMatch> found, String query) {
        return new JsonObject()
                .put("matches", new JsonArray(found.stream().map(m -> {
                    JsonObject match = new JsonObject().put("path", m.path().value()).put("line", m.line())
                            .put("column", m.column()).put("text", m.text());
                    m.context().ifPresent(c -> match.put("context", c));
                    return match;
                }).toList()))
                .put("query", query)
                .put("total", found.size());
    }


    /** {@code {"message":…,"path":…}}, the answer to a file write, a mkdir or a removal. */
    static JsonObject message(String message, SandboxPath path) {
        return WireJson.message(message).put("path", path.value());
    }

    /** The answer to a file write or a mkdir. */
    static JsonObject written(FileEntry entry) {
        return message(entry.directory() ? "Directory created successfully" : "File written successfully",
                entry.path());
    }

    // ---- the watch stream ----

    /** One line of {@code fs.watch}: {@code {"op","path","name"}}. */
    static JsonObject fileEvent(FileEvent event) {
        return new JsonObject().put("op", event.op()).put("path", event.path().value()).put("name", event.name());
    }

    /** The watch stream's note that a slow reader missed {@code count} events: {@code {"op":"DROPPED","count"}}. */
    static JsonObject watchDropped(long count) {
        return new JsonObject().put("op", "DROPPED").put("count", count);
    }

    /** The watch stream's last line when it is ended for the reader: {@code {"op":"CLOSED","reason"}}. */
    static JsonObject watchClosed(String reason) {
        return new JsonObject().put("op", "CLOSED").put("reason", reason);
    }

    // ---- write requests ----

    /** The most files one {@code fs.writeTree} may write. */
    static final int MAX_TREE_FILES = 1000;

    /** What a JSON {@code PUT /filesystem/<path>} body asks for. */
    sealed interface WriteRequest {
        /** {@code fs.writeTree}: every file under {@code dest}, then the listing of {@code dest}. */
        record Tree(SandboxPath dest, Map<SandboxPath, byte[]> files) implements WriteRequest {
        }

        record Directory(String permissions) implements WriteRequest {
        }

        record Text(byte[] bytes, Optional<String> permissions) implements WriteRequest {
        }
    }

    /**
     * Reads a JSON write: {@code {"content": "..."}} writes a file, {@code {"isDirectory": true}} makes a directory,
     * and {@code PUT /filesystem/tree/<dest>} with {@code {"files":{"rel/path":"content"}}} writes a tree. (A
     * {@code PUT /filesystem/tree/x} without {@code files} still writes the file {@code /tree/x}.)
     *
     * @param rawPath the raw path after {@code /filesystem}
     */
    static WriteRequest writeRequest(JsonObject body, String rawPath) {
        if ((rawPath.equals("/tree") || rawPath.startsWith("/tree/")) && body.containsKey("files")) {
            SandboxPath dest = RawPath.sandboxPath(rawPath.substring("/tree".length()));
            return new WriteRequest.Tree(dest, tree(dest, body.getValue("files")));
        }
        Object isDirectory = body.getValue("isDirectory");
        Object content = body.getValue("content");
        Object permissions = body.getValue("permissions");
        if (permissions != null && !(permissions instanceof String)) {
            throw invalid("permissions must be a string such as 0644");
        }
        Optional<String> perms = permissions((String) permissions);
        if (Boolean.TRUE.equals(isDirectory)) {
            return new WriteRequest.Directory(perms.orElse("0755"));
        }
        if (content instanceof String text) {
            return new WriteRequest.Text(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), perms);
        }
        throw invalid("give {\"content\": \"...\"} to write a file or {\"isDirectory\": true} to make a directory");
    }

    /** Permissions such as {@code 0644} from a body field or a form attribute; empty when absent or blank. */
    static Optional<String> permissions(String value) {
        return Optional.ofNullable(value).filter(p -> !p.isEmpty()).map(FileEntry::requirePermissions);
    }

    /**
     * The files of a tree write, every entry checked before the first is written (a relative path without NUL or
     * {@code ..}, string content, at most {@value #MAX_TREE_FILES} files), so a bad entry writes nothing.
     */
    private static Map<SandboxPath, byte[]> tree(SandboxPath dest, Object files) {
        if (!(files instanceof JsonObject entries)) {
            throw invalid("files must be an object of relative paths to contents");
        }
        if (entries.size() > MAX_TREE_FILES) {
            throw invalid("files holds " + entries.size() + " entries; at most " + MAX_TREE_FILES);
        }
        Map<SandboxPath, byte[]> writes = new LinkedHashMap<>();
        for (String relative : entries.fieldNames()) {
            Object content = entries.getValue(relative);
            if (!(content instanceof String text)) {
                throw invalid("the content of '" + relative + "' must be a string");
            }
            if (relative.isBlank() || relative.indexOf('\0') >= 0
                    || java.util.Arrays.asList(relative.split("[/\\\\]")).contains("..")) {
                throw invalid("'" + relative + "' is not a relative path below the destination (no '..', no NUL)");
            }
            SandboxPath target;
            try {
                target = dest.resolve(relative);
            } catch (IllegalArgumentException e) {
                throw invalid("'" + relative + "' is not a valid path: " + e.getMessage());
            }
            if (target.equals(dest) || !dest.contains(target)) {
                throw invalid("'" + relative + "' does not lead below the destination " + dest);
            }
            writes.put(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return java.util.Collections.unmodifiableMap(writes);
    }
}
