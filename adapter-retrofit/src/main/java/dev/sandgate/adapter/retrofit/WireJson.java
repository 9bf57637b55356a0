package dev.sandgate.adapter.retrofit;

import com.squareup.moshi.FromJson;
import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.ToJson;
import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FileEvent;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessName;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that builds the Moshi instance (with the {@link Instant} adapter: Moshi has no java.time support)
 * and maps the {@link Wire} records to domain values and back. A wire value the domain refuses (a sandbox without
 * a name, a port out of range) is an {@link IllegalArgumentException} here, which the call adapter reports as a
 * malformed answer.
 */
final class WireJson {
    static final Moshi MOSHI = new Moshi.Builder()
            .add(new InstantAdapter())
            .add(new SandboxListAdapter())
            .build();

    private WireJson() {
    }

    static <T> JsonAdapter<T> adapter(Class<T> type) {
        return MOSHI.adapter(type);
    }

    /**
     * A path parameter the way the SDK sends it ({@code encodeURIComponent}): one segment, {@code /} as {@code %2F},
     * so {@code /tmp/a.txt} is {@code %2Ftmp%2Fa.txt}. For {@code @Path(encoded = true)}.
     */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("%21", "!")
                .replace("%27", "'")
                .replace("%28", "(")
                .replace("%29", ")")
                .replace("%7E", "~");
    }

    // ---- sandboxes ----

    static Wire.Sandbox toWire(SandboxSpec spec) {
        Wire.Metadata metadata = new Wire.Metadata(spec.name().value(), null, null,
                spec.labels().isEmpty() ? null : new LinkedHashMap<>(spec.labels()), spec.externalId().orElse(null),
                spec.displayName().orElse(null), null, null, null, null, null);
        List<Wire.PortEntry> ports = spec.ports().stream()
                .map(p -> new Wire.PortEntry(p.name().orElse(null), p.target().value(), p.protocol())).toList();
        List<Wire.Env> envs = spec.envs().isEmpty() ? null
                : spec.envs().stream().map(v -> new Wire.Env(v.name(), v.value())).toList();
        return new Wire.Sandbox(metadata,
                new Wire.SandboxSpec(new Wire.Runtime(spec.image(), spec.memoryMb(), ports, envs, null), null), null);
    }

    static Sandbox toDomain(Wire.Sandbox s) {
        require(s != null && s.metadata() != null && s.metadata().name() != null, "sandbox without metadata.name");
        Wire.Metadata m = s.metadata();
        Wire.Runtime rt = s.spec() == null || s.spec().runtime() == null
                ? new Wire.Runtime(null, null, null, null, null) : s.spec().runtime();
        List<PortSpec> ports = new ArrayList<>();
        for (Wire.PortEntry p : nz(rt.ports())) {
            require(p != null && p.target() != null, "port without target");
            ports.add(new PortSpec(Optional.ofNullable(p.name()), Port.of(p.target()),
                    p.protocol() == null ? "HTTP" : p.protocol()));
        }
        List<EnvVar> envs = nz(rt.envs()).stream()
                .map(e -> new EnvVar(e.name(), e.value() == null ? "" : e.value())).toList();
        SandboxSpec spec = new SandboxSpec(SandboxName.of(m.name()),
                rt.image() == null ? SandboxSpec.DEFAULT_IMAGE : rt.image(),
                rt.memory() == null ? SandboxSpec.DEFAULT_MEMORY_MB : rt.memory(), ports, envs,
                m.labels() == null ? Map.of() : m.labels(),
                Optional.ofNullable(m.externalId()).filter(v -> !v.isEmpty()),
                Optional.ofNullable(m.displayName()).filter(v -> !v.isEmpty()));
        Instant created = m.createdAt() == null ? Instant.EPOCH : m.createdAt();
        Instant updated = m.updatedAt() == null || m.updatedAt().isBefore(created) ? created : m.updatedAt();
        SandboxStatus status = s.status() == null ? SandboxStatus.DEPLOYED : SandboxStatus.valueOf(s.status());
        return new Sandbox(spec, status, stripSlash(m.url()), created, updated);
    }

    // ---- previews ----

    static Wire.Preview toWire(PreviewSpec spec) {
        return new Wire.Preview(Wire.Metadata.named(spec.name().value()),
                new Wire.PreviewSpec(spec.port().value(), spec.isPublic(), null, spec.expires().orElse(null),
                        headers(spec.responseHeaders()), headers(spec.requestHeaders())), null,
                PolicyWire.toWire(spec.policy()));
    }

    static Preview toDomain(Wire.Preview p, SandboxName asked) {
        require(p != null && p.metadata() != null && p.metadata().name() != null && p.spec() != null
                && p.spec().port() != null, "preview without metadata.name or spec.port");
        Wire.PreviewSpec s = p.spec();
        String resource = p.metadata().resourceName();
        SandboxName sandbox = resource == null || resource.isEmpty() ? asked : SandboxName.of(resource);
        PreviewSpec spec = new PreviewSpec(PreviewName.of(p.metadata().name()), Port.of(s.port()),
                Boolean.TRUE.equals(s.isPublic()),
                HttpHeaders.of(s.responseHeaders() == null ? Map.of() : s.responseHeaders()),
                HttpHeaders.of(s.requestHeaders() == null ? Map.of() : s.requestHeaders()),
                Optional.ofNullable(s.expires()), PolicyWire.toDomain(p.sandgate()));
        Instant created = p.metadata().createdAt() == null ? Instant.EPOCH : p.metadata().createdAt();
        return new Preview(sandbox, spec, stripSlash(s.url()), created);
    }

    // ---- tokens ----

    static Wire.Token toWire(TokenName name, Instant expiresAt) {
        return new Wire.Token(Wire.Metadata.named(name.value()), new Wire.TokenSpec(null, expiresAt, null));
    }

    static PreviewToken toDomain(Wire.Token t, SandboxName sandbox, PreviewName preview) {
        require(t != null && t.metadata() != null && t.metadata().name() != null && t.spec() != null
                && t.spec().token() != null && t.spec().expiresAt() != null,
                "token without name, value or a readable expiresAt");
        return new PreviewToken(TokenName.of(t.metadata().name()), sandbox, preview, TokenValue.of(t.spec().token()),
                t.spec().expiresAt());
    }

    // ---- processes ----

    static Wire.ProcessRequest toWire(ProcessSpec spec) {
        return new Wire.ProcessRequest(spec.command(), spec.name().map(ProcessName::value).orElse(null),
                spec.workingDir().map(SandboxPath::value).orElse(null),
                spec.env().isEmpty() ? null : new LinkedHashMap<>(spec.env()),
                spec.waitForCompletion() ? Boolean.TRUE : null,
                spec.waitForPorts().isEmpty() ? null : spec.waitForPorts().stream().map(Port::value).toList(),
                spec.timeout().map(java.time.Duration::toSeconds).orElse(null),
                spec.keepAlive() ? Boolean.TRUE : null,
                spec.restartOnFailure() ? Boolean.TRUE : null,
                spec.restartOnFailure() ? spec.maxRestarts() : null,
                spec.stdin() ? Boolean.TRUE : null,
                spec.startedBy().map(session -> new Wire.ProcessExtension(session.value())).orElse(null));
    }

    static ProcessInfo toDomain(Wire.Process p) {
        require(p != null && p.pid() != null && !p.pid().isBlank() && p.command() != null,
                "process without pid or command");
        ProcessStatus status = p.status() == null || p.status().isEmpty() ? ProcessStatus.RUNNING
                : ProcessStatus.fromWire(p.status());
        Instant started = p.startedAt() == null ? Instant.EPOCH : p.startedAt();
        Optional<Instant> completed = status.isTerminal()
                ? Optional.ofNullable(p.completedAt()).filter(c -> !c.isBefore(started)) : Optional.empty();
        Optional<Integer> exitCode = status.isTerminal() ? Optional.ofNullable(p.exitCode()) : Optional.empty();
        ProcessName name = ProcessName.of(p.name() == null || p.name().isEmpty() ? "proc-" + p.pid() : p.name());
        return new ProcessInfo(p.pid(), name, p.command(), status, exitCode,
                SandboxPath.of(p.workingDir() == null ? "/" : p.workingDir()), started, completed,
                p.restartCount() == null ? 0 : p.restartCount(), Boolean.TRUE.equals(p.keepAlive()),
                Boolean.TRUE.equals(p.restartOnFailure()), p.maxRestarts() == null ? 0 : p.maxRestarts(),
                status == ProcessStatus.FAILED && Boolean.TRUE.equals(p.oomKilled()), startedBy(p.sandgate()));
    }

    /** The session a process's {@code sandgate.startedBy} names; none when absent or not a session's name. */
    private static Optional<PreviewName> startedBy(Wire.ProcessExtension extension) {
        if (extension == null || extension.startedBy() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PreviewName.of(extension.startedBy()));
        } catch (IllegalArgumentException notAName) {
            return Optional.empty();
        }
    }

    static ProcessLogs toDomain(Wire.Logs l) {
        require(l != null, "empty logs body");
        return new ProcessLogs(nz(l.stdout()), nz(l.stderr()), nz(l.logs()), false);
    }

    // ---- files ----

    static FileEntry toEntry(Wire.FileOrDirectory f, SandboxPath asked, boolean directory) {
        SandboxPath path = f.path() == null ? asked : SandboxPath.of(f.path());
        return new FileEntry(path, directory, f.size() == null ? 0 : f.size(), permissions(f.permissions()),
                f.lastModified() == null ? Instant.EPOCH : f.lastModified());
    }

    static boolean isDirectory(Wire.FileOrDirectory f) {
        return f.content() == null && (f.files() != null || f.subdirectories() != null);
    }

    static DirectoryListing toListing(Wire.FileOrDirectory d, SandboxPath asked) {
        SandboxPath path = d.path() == null ? asked : SandboxPath.of(d.path());
        List<FileEntry> files = nz(d.files()).stream()
                .map(f -> toEntry(f, path.resolve(nz(f.name())), false)).toList();
        List<FileEntry> dirs = nz(d.subdirectories()).stream()
                .map(f -> toEntry(f, path.resolve(nz(f.name())), true)).toList();
        return new DirectoryListing(path, files, dirs);
    }

    static List<FindMatch> toDomain(Wire.FindResponse r) {
        require(r != null && r.matches() != null, "the find answer holds no matches");
        return r.matches().stream()
                .map(m -> new FindMatch(SandboxPath.of(m.path()), "directory".equals(m.type()))).toList();
    }

    static List<GrepMatch> toDomain(Wire.GrepResponse r) {
        require(r != null && r.matches() != null, "the grep answer holds no matches");
        return r.matches().stream().map(m -> new GrepMatch(SandboxPath.of(m.path()),
                m.line() == null ? 0 : m.line(), m.column() == null ? 0 : m.column(), nz(m.text()),
                Optional.ofNullable(m.context()))).toList();
    }

    /** A watch event, or empty for a line that is not a complete one. */
    static Optional<FileEvent> toDomain(Wire.FileEvent e) {
        if (e == null || e.op() == null || e.path() == null || e.name() == null) {
            return Optional.empty();
        }
        return Optional.of(new FileEvent(e.op(), SandboxPath.of(e.path()), e.name()));
    }

    /** Octal as is; a symbolic mode such as {@code -rw-r--r--} (Go's FileMode) converted to {@code 0644}. */
    static String permissions(String wire) {
        if (wire == null || wire.isEmpty()) {
            return "0644";
        }
        if (wire.matches("0?[0-7]{3,4}")) {
            return wire;
        }
        String bits = wire.length() >= 9 ? wire.substring(wire.length() - 9) : "";
        if (!bits.matches("[r-][w-][xsStT-][r-][w-][xsStT-][r-][w-][xtT-]")) {
            return "0644";
        }
        int mode = 0;
        for (int i = 0; i < 9; i++) {
            mode = (mode << 1) | (bits.charAt(i) == '-' || bits.charAt(i) == 'S' || bits.charAt(i) == 'T' ? 0 : 1);
        }
        return String.format("0%03o", mode);
    }

    // ---- adapters ----

    /**
     * Instants as the wire carries them: written ISO-8601 ({@code Instant.toString()}, which JS {@code new Date()}
     * reads); read from ISO-8601 with any offset and fraction or from RFC 1123 (process times), and {@code ""} or an
     * unreadable text as absent: the SDK never parses these, so a server's odd format must not fail a whole call.
     */
    static final class InstantAdapter {
        private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

        @ToJson
        String toJson(Instant instant) {
            return instant.toString();
        }

        @FromJson
        Instant fromJson(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException notIso) {
                try {
                    return OffsetDateTime.parse(text, RFC_1123).toInstant();
                } catch (DateTimeParseException notRfc) {
                    return null;
                }
            }
        }
    }

    /** The sandbox list as a bare array or as the paginated {@code {"data":[…]}} (the SDK accepts both). */
    static final class SandboxListAdapter {
        @FromJson
        Wire.SandboxList fromJson(JsonReader reader, JsonAdapter<Wire.SandboxPage> page,
                                  JsonAdapter<List<Wire.Sandbox>> list) throws IOException {
            if (reader.peek() == JsonReader.Token.BEGIN_ARRAY) {
                return new Wire.SandboxList(nz(list.fromJson(reader)));
            }
            Wire.SandboxPage read = page.fromJson(reader);
            return new Wire.SandboxList(read == null ? List.of() : nz(read.data()));
        }

        @ToJson
        void toJson(JsonWriter writer, Wire.SandboxList value, JsonAdapter<List<Wire.Sandbox>> list)
                throws IOException {
            list.toJson(writer, value.sandboxes());
        }
    }

    // ---- shared ----

    private static Map<String, String> headers(HttpHeaders headers) {
        return headers.isEmpty() ? null : new LinkedHashMap<>(headers.values());
    }

    private static String stripSlash(String url) {
        if (url == null) {
            return "";
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static <T> List<T> nz(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException(what);
        }
    }
}
