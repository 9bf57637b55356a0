package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The sandbox API's processes (protocol section c): exec (JSON, or NDJSON with {@code Accept: text/event-stream}),
 * list, get, stop, kill, logs, the log stream and stdin. Mounted by {@link BrokerRoutes}; the sandbox comes from the
 * face's access handler ({@link RequestState#sandbox}).
 */
final class ProcessRoutes {
    private final SandboxCalls calls;
    private final LineStream.Streams streams;

    ProcessRoutes(SandboxCalls calls, LineStream.Streams streams) {
        this.calls = calls;
        this.streams = streams;
    }

    void list(RoutingContext ctx) {
        calls.answer(ctx, dp -> WireJson.list(dp.listProcesses().stream().map(ProcessWire::process).toList()));
    }

    void get(RoutingContext ctx) {
        String id = id(ctx);
        calls.answer(ctx, dp -> ProcessWire.process(dp.getProcess(id)));
    }

    void stop(RoutingContext ctx) {
        String id = id(ctx);
        calls.answer(ctx, dp -> {
            dp.stopProcess(id);
            return WireJson.message("Process stopped successfully");
        });
    }

    void kill(RoutingContext ctx) {
        String id = id(ctx);
        calls.answer(ctx, dp -> {
            dp.killProcess(id);
            return WireJson.message("Process killed successfully");
        });
    }

    void logs(RoutingContext ctx) {
        String id = id(ctx);
        calls.answer(ctx, dp -> ProcessWire.logs(dp.logs(id)));
    }

    /** {@code POST /process/{id}/stdin}: the raw body, as the SDK sends it (not JSON-encoded). */
    void writeStdin(RoutingContext ctx) {
        String id = id(ctx);
        byte[] data = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        calls.answer(ctx, dp -> {
            dp.writeStdin(id, data);
            return ProcessWire.stdinWritten(data.length);
        });
    }

    void closeStdin(RoutingContext ctx) {
        String id = id(ctx);
        calls.answer(ctx, dp -> {
            dp.closeStdin(id);
            return WireJson.message("Input closed successfully");
        });
    }

    void exec(RoutingContext ctx) {
        ProcessSpec spec = ProcessWire.processSpec(WireJson.object(ctx.body().buffer()));
        SandboxName sandbox = RequestState.sandbox(ctx);
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
            execStreamed(ctx, sandbox, spec);
            return;
        }
        Exchange.answer(ctx, calls.launch(sandbox, spec).compose(s -> spec.waitForCompletion()
                ? calls.call(sandbox, () -> ProcessWire.process(s.info(), s.dataPlane().logs(s.info().pid())))
                : Future.succeededFuture(ProcessWire.process(s.info()))), body -> Exchange.json(ctx, 200, body));
    }

    /**
     * The streamed exec: the process starts (after its ports, if any, accept connections), then the lines of
     * {@link ProcessWire#EXEC_STREAM}, and last the result line with the process as it ended.
     */
    private void execStreamed(RoutingContext ctx, SandboxName sandbox, ProcessSpec spec) {
        ProcessSpec started = new ProcessSpec(spec.command(), spec.name(), spec.workingDir(), spec.env(),
                spec.waitForPorts(), false, spec.timeout(), spec.keepAlive(), spec.restartOnFailure(),
                spec.maxRestarts(), spec.stdin());
        Exchange.answer(ctx, calls.launch(sandbox, started), s -> LineStream.of(streams, ctx, ProcessWire.EXEC_STREAM,
                (stream, end) -> calls.workers().executeBlocking(() -> {
                    ProcessInfo info = s.dataPlane().getProcess(s.info().pid());
                    return ProcessWire.process(info, s.dataPlane().logs(info.pid()));
                }, false).onComplete(ar -> {
                    JsonObject result = ar.succeeded() ? ar.result() : ProcessWire.process(s.info());
                    stream.write(WireJson.ndjson(ProcessWire.streamResult(result)));
                    end.run();
                })).start(sink -> s.dataPlane().streamLogs(s.info().pid(), logsInto(sink))));
    }

    /** {@code GET /process/{id}/logs/stream}: the lines of {@link ProcessWire#LOG_STREAM} until the process exits. */
    void streamLogs(RoutingContext ctx) {
        String id = id(ctx);
        // Resolve the process first, so that an unknown one is a plain 404 before any byte of the stream.
        calls.on(ctx, dp -> {
            dp.getProcess(id);
            return dp;
        }, dp -> LineStream.of(streams, ctx, ProcessWire.LOG_STREAM).start(sink -> dp.streamLogs(id, logsInto(sink))));
    }

    private static String id(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || id.isEmpty()) {
            throw new SandgateException.NotFound("no such process");
        }
        return id;
    }

    /** A log listener that feeds {@code sink}. */
    private static LogListener logsInto(LineStream.Sink<LogLine> sink) {
        return new LogListener() {
            @Override
            public void onLine(LogLine line) {
                sink.item(line);
            }

            @Override
            public void onEnd() {
                sink.end();
            }

            @Override
            public void onError(SandgateException error) {
                sink.error(error);
            }
        };
    }
}
