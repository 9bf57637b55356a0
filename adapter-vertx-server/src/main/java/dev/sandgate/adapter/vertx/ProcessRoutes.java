package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.access.AccessDecision;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The sandbox API's processes (protocol section c): exec (JSON, or NDJSON with {@code Accept: text/event-stream}),
 * list, get, stop, kill, logs, the log stream and stdin. Mounted by {@link BrokerRoutes}; the sandbox comes from the
 * face's access handler ({@link RequestState#sandbox}). A process is recorded as started by the session whose token
 * started it; a session limited to its own processes reaches only those ({@link SandboxCalls#on}).
 */
final class ProcessRoutes {
    private final SandboxCalls calls;
    private final LineStream.Streams streams;
    private final QuotaCheck quotas;

    ProcessRoutes(SandboxCalls calls, LineStream.Streams streams, QuotaCheck quotas) {
        this.calls = calls;
        this.streams = streams;
        this.quotas = quotas;
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
        JsonObject request = WireJson.object(ctx.body().buffer());
        ProcessSpec spec = ProcessWire.processSpec(request).withStartedBy(startedBy(ctx, request));
        SandboxName sandbox = RequestState.sandbox(ctx);
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
            execStreamed(ctx, sandbox, spec);
            return;
        }
        Exchange.answer(ctx, calls.launch(sandbox, spec).onSuccess(s -> quotas.untilExit(ctx, s))
                .compose(s -> spec.waitForCompletion()
                ? calls.call(sandbox, () -> ProcessWire.process(s.info(), s.dataPlane().logs(s.info().pid())))
                : Future.succeededFuture(ProcessWire.process(s.info()))), body -> Exchange.json(ctx, 200, body));
    }

    /**
     * The streamed exec: the process starts (after its ports, if any, accept connections), then the lines of
     * {@link ProcessWire#EXEC_STREAM}, and last the result line with the process as it ended.
     */
    private void execStreamed(RoutingContext ctx, SandboxName sandbox, ProcessSpec spec) {
        ProcessSpec started = spec.withWaitForCompletion(false);
        Exchange.answer(ctx, calls.launch(sandbox, started).onSuccess(s -> quotas.untilExit(ctx, s)),
                s -> LineStream.of(streams, ctx, ProcessWire.EXEC_STREAM,
                (stream, end) -> calls.workers().executeBlocking(() -> {
                    ProcessInfo info = s.dataPlane().getProcess(s.info().pid());
                    return ProcessWire.process(info, s.dataPlane().logs(info.pid()));
                }, false).onComplete(ar -> {
                    JsonObject result = ar.succeeded() ? ar.result() : ProcessWire.process(s.info());
                    stream.write(WireJson.ndjson(ProcessWire.streamResult(result)));
                    end.run();
                })).start(sink -> s.dataPlane().streamLogs(s.info().pid(), logsInto(sink))));
    }

    /**
     * {@code GET /process/{id}/logs/stream}: the lines of {@link ProcessWire#LOG_STREAM} until the process exits, or
     * of {@link ProcessWire#LOG_NDJSON} (with cursors, ended by an {@code end} object) for
     * {@code Accept: application/x-ndjson}. A cursor in {@code ?since=} or {@code Last-Event-ID} resumes after it.
     * The process is resolved and subscribed to before the answer starts, so an unknown process is a plain 404 and
     * a bad cursor a 400, and a resumed stream is bound to the process its cursor belongs to (its pid).
     */
    void streamLogs(RoutingContext ctx) {
        String id = id(ctx);
        OptionalLong since = since(ctx);
        String accept = ctx.request().getHeader("Accept");
        boolean ndjson = accept != null && accept.contains("application/x-ndjson");
        LogRelay relay = new LogRelay(ndjson);
        calls.on(ctx, dp -> {
            String pid = dp.getProcess(id).pid();
            var subscription = since.isPresent() || ndjson
                    ? dp.streamLogs(pid, since.orElse(0), relay) : dp.streamLogs(pid, relay);
            return new Subscribed(dp, pid, subscription);
        }, subscribed -> {
            LineStream.Finish<ProcessWire.Logged> finish = !ndjson ? (stream, end) -> end.run()
                    : (stream, end) -> calls.workers().executeBlocking(
                            () -> subscribed.dataPlane().getProcess(subscribed.pid()), false).onComplete(ar -> {
                                if (ar.succeeded()) {
                                    stream.write(WireJson.ndjson(ProcessWire.streamEnd(ar.result())));
                                }
                                end.run();
                            });
            if (subscribed.pid().matches("[A-Za-z0-9._-]{1,64}")) {
                // Sandgate's own: the pid a client resumes by (a name may later mean a newer process)
                ctx.response().putHeader("X-Sandgate-Pid", subscribed.pid());
            }
            LineStream.of(streams, ctx, ndjson ? ProcessWire.LOG_NDJSON : ProcessWire.LOG_STREAM, finish)
                    .start(sink -> {
                        relay.attach(sink);
                        return subscribed.subscription();
                    });
        });
    }

    private record Subscribed(dev.sandgate.ports.DataPlane dataPlane, String pid, LogSubscription subscription) {
    }

    /** The cursor a client resumes after: {@code ?since=} or else {@code Last-Event-ID}; a non-negative integer. */
    private static OptionalLong since(RoutingContext ctx) {
        String raw = ctx.request().getParam("since");
        String name = "since";
        if (raw == null) {
            raw = ctx.request().getHeader("Last-Event-ID");
            name = "Last-Event-ID";
        }
        if (raw == null) {
            return OptionalLong.empty();
        }
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new SandgateException.InvalidRequest(name + " must be a cursor (a non-negative integer, the "
                    + "\"cursor\" of a streamed line)");
        }
        try {
            return OptionalLong.of(Long.parseLong(raw));
        } catch (NumberFormatException e) {
            throw new SandgateException.InvalidRequest(name + " is too large to be a cursor");
        }
    }

    /**
     * Who a process is recorded as started by: a session's token, that session, whatever the body says; the API key
     * (no session), the session its body's {@code sandgate.startedBy} names, if any (a broker fronting this one
     * passes its own sessions' names so).
     */
    private static Optional<PreviewName> startedBy(RoutingContext ctx, JsonObject body) {
        Optional<AccessDecision.Grant> grant = RequestState.grant(ctx);
        Optional<PreviewName> session = grant.flatMap(AccessDecision::owner);
        if (session.isPresent()) {
            return session;
        }
        return ProcessWire.startedBy(body);
    }

    private static String id(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id == null || id.isEmpty()) {
            throw new SandgateException.NotFound("no such process");
        }
        return id;
    }

    /** A log listener that feeds {@code sink}, each line with its cursor. */
    private static LogListener logsInto(LineStream.Sink<ProcessWire.Logged> sink) {
        return new LogListener() {
            @Override
            public void onLine(LogLine line) {
                sink.item(new ProcessWire.Logged.Line(line, 0));
            }

            @Override
            public void onLine(LogLine line, long cursor) {
                sink.item(new ProcessWire.Logged.Line(line, cursor));
            }

            @Override
            public void onDropped(long lines) {
                sink.item(new ProcessWire.Logged.Truncated(lines));
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

    /**
     * Holds what a log subscription delivers until its stream is attached (the replay, at most
     * {@value #MAX_HELD} items; beyond, the stream ends with an error and the client resumes from its last cursor),
     * then hands each on in order. Restarts are handed on only to the NDJSON form ({@code restarts}): the SDK's text
     * stream has no line for them that it would not take for output.
     */
    private static final class LogRelay implements LogListener {
        private static final int MAX_HELD = 100_000;
        private final boolean restarts;
        private final java.util.ArrayDeque<Object> held = new java.util.ArrayDeque<>();
        private LineStream.Sink<ProcessWire.Logged> target;
        private boolean overflowed;
        private static final Object END = new Object();

        LogRelay(boolean restarts) {
            this.restarts = restarts;
        }

        @Override
        public void onRestarted(int exitCode, int restartCount) {
            if (restarts) {
                item(new ProcessWire.Logged.Restarted(exitCode, restartCount));
            }
        }

        @Override
        public void onLine(LogLine line) {
            item(new ProcessWire.Logged.Line(line, 0));
        }

        @Override
        public void onLine(LogLine line, long cursor) {
            item(new ProcessWire.Logged.Line(line, cursor));
        }

        @Override
        public void onDropped(long lines) {
            item(new ProcessWire.Logged.Truncated(lines));
        }

        private synchronized void item(ProcessWire.Logged item) {
            if (target != null) {
                target.item(item);
            } else if (held.size() < MAX_HELD) {
                held.add(item);
            } else {
                overflowed = true;
            }
        }

        @Override
        public synchronized void onEnd() {
            if (target != null) {
                target.end();
            } else {
                held.add(END);
            }
        }

        @Override
        public synchronized void onError(SandgateException error) {
            if (target != null) {
                target.error(error);
            } else {
                held.add(error);
            }
        }

        synchronized void attach(LineStream.Sink<ProcessWire.Logged> sink) {
            target = sink;
            if (overflowed) {
                held.clear();
                sink.error(new SandgateException.Unavailable("too many lines at once"));
                return;
            }
            for (Object o : held) {
                if (o == END) {
                    sink.end();
                } else if (o instanceof SandgateException e) {
                    sink.error(e);
                } else {
                    sink.item((ProcessWire.Logged) o);
                }
            }
            held.clear();
        }
    }
}
