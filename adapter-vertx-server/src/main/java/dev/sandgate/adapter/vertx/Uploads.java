package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandgateException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Request bodies of the sandbox API: binary writes ({@code PUT /filesystem/…} as multipart/form-data) are read here,
 * the {@code file} part in memory within the body limit, and handed on as {@link RequestState#upload}; every other
 * body goes through Vert.x's {@link BodyHandler} with the same limit (413 beyond it).
 */
final class Uploads {
    private final long limit;
    private final BodyHandler body;

    Uploads(long limit) {
        this.limit = limit;
        this.body = BodyHandler.create(false).setBodyLimit(limit);
    }

    /** The body handler, passed over when the request's multipart body was read already. */
    Handler<RoutingContext> body() {
        return ctx -> {
            if (RequestState.upload(ctx).isPresent()) {
                ctx.next();
            } else {
                body.handle(ctx);
            }
        };
    }

    /** A multipart {@code PUT}: reads its {@code file} part, then goes on; any other request goes on at once. */
    void multipart(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String type = request.getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            ctx.next();
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > limit) {
            ctx.fail(413);
            return;
        }
        Buffer file = Buffer.buffer();
        AtomicBoolean failed = new AtomicBoolean();
        AtomicBoolean sawFile = new AtomicBoolean();
        long[] total = {0};
        request.setExpectMultipart(true);
        request.uploadHandler(upload -> {
            boolean isFile = upload.name().equals("file");
            sawFile.compareAndSet(false, isFile);
            upload.handler(chunk -> {
                total[0] += chunk.length();
                if (total[0] > limit) {
                    if (failed.compareAndSet(false, true)) {
                        ctx.fail(413);
                    }
                    return;
                }
                if (isFile) {
                    file.appendBuffer(chunk);
                }
            });
        });
        request.handler(chunk -> {
        });
        request.exceptionHandler(e -> {
            if (failed.compareAndSet(false, true)) {
                ctx.fail(new SandgateException.InvalidRequest("malformed multipart body"));
            }
        });
        request.endHandler(v -> {
            if (failed.get()) {
                return;
            }
            if (!sawFile.get()) {
                ctx.fail(new SandgateException.InvalidRequest("multipart body has no 'file' part"));
                return;
            }
            RequestState.upload(ctx, file.getBytes());
            ctx.next();
        });
        request.resume();
    }
}
