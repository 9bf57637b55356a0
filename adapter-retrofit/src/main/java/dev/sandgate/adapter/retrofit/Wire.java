package dev.sandgate.adapter.retrofit;

import com.squareup.moshi.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the wire protocol as Moshi binds them: public records with nullable components, because a
 * missing field is ordinary on the wire (and {@code null} members are left out of what the client sends). Times are
 * {@link Instant}s read by {@link WireJson}'s one adapter (ISO-8601 or RFC 1123, {@code ""} for none). Only
 * {@link WireJson} turns these into domain values; the golden fixtures of the ports test-jar pin both directions.
 */
final class Wire {
    private Wire() {
    }

    // ---- control plane ----

    public record Sandbox(Metadata metadata, SandboxSpec spec, String status) {
    }

    /** {@code GET /sandboxes}: a bare array, or the paginated {@code {"data":[…],"meta":{…}}}; both are read. */
    public record SandboxList(List<Sandbox> sandboxes) {
    }

    /** The paginated form of the sandbox list. */
    public record SandboxPage(List<Sandbox> data) {
    }

    public record Metadata(String name, String workspace, String url, Map<String, String> labels, String externalId,
                           String displayName, Instant createdAt, Instant updatedAt, String resourceName,
                           String resourceType, String previewName) {
        /** Just a name, as every create body sends it. */
        static Metadata named(String name) {
            return new Metadata(name, null, null, null, null, null, null, null, null, null, null);
        }
    }

    public record SandboxSpec(Runtime runtime, String region) {
    }

    public record Runtime(String image, Integer memory, List<PortEntry> ports, List<Env> envs, String generation) {
    }

    public record PortEntry(String name, Integer target, String protocol) {
    }

    public record Env(String name, String value) {
    }

    /** {@code sandgate}: Sandgate's own extension of a preview body (docs/wire-compatibility.md); absent: default. */
    public record Preview(Metadata metadata, PreviewSpec spec, String status, Sandgate sandgate) {
    }

    /** {@code POST /sandboxes/{sb}/sessions/revoke} (Sandgate's own): {@code subject} absent: every session. */
    public record RevokeSessions(String subject) {
    }

    /** {@code POST /sandboxes/{sb}/sessions/{session}/renew} (Sandgate's own), answered with the preview. */
    public record RenewSession(Instant expiresAt) {
    }

    /** The answer to a revoke-all: how many sessions it revoked. */
    public record Revoked(Integer revoked) {
    }

    /** A session's policy; each absent member is its default. */
    public record Sandgate(Scopes scopes, String subject, List<String> origins, Quotas quotas, Instant maxExpiresAt) {
    }

    /** {@code paths} and {@code ports} absent: any. */
    public record Scopes(List<String> operations, List<String> paths, List<Integer> ports) {
    }

    /** Absent: the broker's default. */
    public record Quotas(Integer requestsPerSecond, Integer concurrentExecs, Integer concurrentStreams) {
    }

    public record PreviewSpec(Integer port, @Json(name = "public") Boolean isPublic, String url, Instant expires,
                              Map<String, String> responseHeaders, Map<String, String> requestHeaders) {
    }

    public record Token(Metadata metadata, TokenSpec spec) {
    }

    public record TokenSpec(String token, Instant expiresAt, Boolean expired) {
    }

    /** The control plane's {@code {"code":404,"error":"NOT_FOUND","message":…}} or the sandbox API's {@code {"error":…}}. */
    /** What a Sandgate broker's 429 {@code QUOTA_EXCEEDED} adds to {@link Error}: which quota, and its limit. */
    public record QuotaError(String quota, Integer limit) {
    }

        public record Error(Object code, String reason, String error, String message) {
    }

    // ---- sandbox API ----

    /**
     * An exec request; {@code sandgate}, Sandgate's addition, names the session the process is to be recorded as
     * started by (a Sandgate broker takes it from the API key only; others ignore it).
     */
    public record ProcessRequest(String command, String name, String workingDir, Map<String, String> env,
                                 Boolean waitForCompletion, List<Integer> waitForPorts, Long timeout,
                                 Boolean keepAlive, Boolean restartOnFailure, Integer maxRestarts, Boolean stdin,
                                 ProcessExtension sandgate) {
    }

    /** Sandgate's {@code "sandgate": {"startedBy": "<session>"}} on a process: the session that started it. */
    public record ProcessExtension(String startedBy) {
    }

    /**
     * {@code ProcessResponse}: {@code completedAt} is {@code ""} (read as {@code null}) while the process runs;
     * {@code oomKilled}, Sandgate's addition, is present and true when the kernel killed it for lack of memory;
     * {@code sandgate}, Sandgate's too, names the session that started it, when one did.
     */
    public record Process(String pid, String name, String command, String status, Instant startedAt,
                          Instant completedAt, Integer exitCode, String workingDir, String logs, String stdout,
                          String stderr, Boolean restartOnFailure, Integer maxRestarts, Integer restartCount,
                          Boolean keepAlive, Boolean oomKilled, ProcessExtension sandgate) {
    }

    /**
     * One line of the NDJSON exec stream: {@code stdout}, {@code stderr}, {@code keepalive}, {@code result},
     * {@code error}; a Sandgate broker adds {@code dropped} ({@code count}) and {@code closed} ({@code reason}), and
     * a line's {@code cursor}. Its NDJSON log stream adds {@code truncated} ({@code count}), {@code restarted}
     * ({@code exitCode}, {@code restartCount}) and the last {@code end} ({@code how}, {@code exitCode},
     * {@code restartCount}, or {@code reason} when {@code how} is {@code revoked}).
     */
    public record StreamEvent(String type, String data, Long count, String reason, Long cursor, String how,
                              Integer exitCode, Integer restartCount) {
    }

    public record Logs(String stdout, String stderr, String logs) {
    }

    /** A file, a file with content, or a directory: the sandbox API answers GET /filesystem/{p} with one of these. */
    public record FileOrDirectory(String name, String path, Long size, String permissions, Instant lastModified,
                                  String content, List<FileOrDirectory> files, List<FileOrDirectory> subdirectories) {
    }

    public record FileWrite(String content, Boolean isDirectory, String permissions) {
    }

    /** What a route that only acknowledges answers: {@code {"message":…}}, with {@code path} for files. */
    public record Message(String message, String path) {
    }

    public record FindResponse(List<FindMatch> matches, Integer total) {
    }

    public record FindMatch(String path, String type) {
    }

    public record GrepResponse(List<GrepMatch> matches, String query, Integer total) {
    }

    public record GrepMatch(String path, Integer line, Integer column, String text, String context) {
    }

    /** A watch event; a Sandgate broker also sends {@code DROPPED} ({@code count}) and {@code CLOSED} ({@code reason}). */
    public record FileEvent(String op, String path, String name, Long count, String reason) {
    }
}
