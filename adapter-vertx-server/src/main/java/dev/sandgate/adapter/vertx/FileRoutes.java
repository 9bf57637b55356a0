package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The sandbox API's files: {@code GET|PUT|DELETE /filesystem/<path>}, the path one percent-encoded segment or
 * unencoded after {@code /} (read raw: {@link RawPath}); writes as JSON ({@link FileWire#writeRequest}) or as
 * multipart ({@link Uploads}). Mounted by {@link BrokerRoutes}.
 */
final class FileRoutes {
    private final SandboxCalls calls;

    FileRoutes(SandboxCalls calls) {
        this.calls = calls;
    }

    /** The raw path after {@code /filesystem} (or another one-segment area) of a sandbox API request. */
    static String rawTail(RoutingContext ctx, int areaSegments) {
        return RawPath.after(ctx.request().path(), RawPath.count(ctx.mountPoint()) + areaSegments);
    }

    void read(RoutingContext ctx) {
        SandboxPath path = RawPath.sandboxPath(rawTail(ctx, 1));
        String accept = ctx.request().getHeader("Accept");
        boolean raw = accept != null && accept.contains("application/octet-stream");
        calls.on(ctx, dp -> {
            FileEntry entry = dp.stat(path);
            if (entry.directory()) {
                return FileWire.directory(dp.listDirectory(path));
            }
            FileContent content = dp.readFile(path);
            return raw ? Buffer.buffer(content.bytes()) : FileWire.fileWithContent(content);
        }, body -> {
            if (body instanceof Buffer bytes) {
                ctx.response().setStatusCode(200)
                        .putHeader("Content-Type", "application/octet-stream")
                        .putHeader("X-Content-Type-Options", "nosniff")
                        .end(bytes);
            } else {
                Exchange.json(ctx, 200, body);
            }
        });
    }

    void write(RoutingContext ctx) {
        String rawPath = rawTail(ctx, 1);
        SandboxPath path = RawPath.sandboxPath(rawPath);
        Optional<byte[]> upload = RequestState.upload(ctx);
        if (upload.isPresent()) {
            Optional<String> perms = FileWire.permissions(ctx.request().getFormAttribute("permissions"));
            calls.answer(ctx, dp -> FileWire.written(dp.writeFile(path, upload.get(), perms)));
            return;
        }
        FileWire.WriteRequest request = FileWire.writeRequest(WireJson.object(ctx.body().buffer()), rawPath);
        if (request instanceof FileWire.WriteRequest.Tree tree) {
            writeTree(ctx, tree);
        } else if (request instanceof FileWire.WriteRequest.Directory dir) {
            calls.answer(ctx, dp -> FileWire.written(dp.makeDirectory(path, dir.permissions())));
        } else if (request instanceof FileWire.WriteRequest.Text text) {
            calls.answer(ctx, dp -> FileWire.written(dp.writeFile(path, text.bytes(), text.permissions())));
        }
    }

    /** {@code fs.writeTree}: writes every file under the destination (creating parents), answers its listing. */
    private void writeTree(RoutingContext ctx, FileWire.WriteRequest.Tree tree) {
        SandboxPath dest = tree.dest();
        calls.answer(ctx, dp -> {
            if (tree.files().isEmpty()) {
                try {
                    dp.stat(dest);
                } catch (SandgateException.NotFound missing) {
                    dp.makeDirectory(dest, "0755");
                }
            }
            for (var write : tree.files().entrySet()) {
                dp.writeFile(write.getKey(), write.getValue(), Optional.empty());
            }
            return FileWire.directory(dp.listDirectory(dest));
        });
    }

    void remove(RoutingContext ctx) {
        SandboxPath path = RawPath.sandboxPath(rawTail(ctx, 1));
        boolean recursive = "true".equalsIgnoreCase(ctx.request().getParam("recursive"));
        calls.answer(ctx, dp -> {
            dp.remove(path, recursive);
            return FileWire.message("File removed successfully", path);
        });
    }
}
