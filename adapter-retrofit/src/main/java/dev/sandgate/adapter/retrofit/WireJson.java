package dev.sandgate.adapter.retrofit;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileEntry;
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
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/** The one place that builds the Moshi instance and maps wire bodies to domain values and back. */
final class WireJson {
    static final Moshi MOSHI = new Moshi.Builder().build();
    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private WireJson() {
    }

    static <T> JsonAdapter<T> adapter(Class<T> type) {
        return MOSHI.adapter(type);
    }

    static <T> JsonAdapter<List<T>> listAdapter(Class<T> element) {
        Type type = Types.newParameterizedType(List.class, element);
        return MOSHI.adapter(type);
    }

    static <T> RequestBody body(Class<T> type, T value) {
        return RequestBody.create(adapter(type).toJson(value), JSON);
    }

    // ---- sandboxes ----

    static Wire.Sandbox toWire(SandboxSpec spec) {
        Wire.Sandbox s = new Wire.Sandbox();
        s.metadata = new Wire.Metadata();
        s.metadata.name = spec.name().value();
        s.metadata.labels = spec.labels().isEmpty() ? null : new LinkedHashMap<>(spec.labels());
        s.metadata.externalId = spec.externalId().orElse(null);
        s.metadata.displayName = spec.displayName().orElse(null);
        s.spec = new Wire.SandboxSpec();
        s.spec.runtime = new Wire.Runtime();
        s.spec.runtime.image = spec.image();
        s.spec.runtime.memory = spec.memoryMb();
        s.spec.runtime.ports = spec.ports().stream().map(p -> {
            Wire.PortEntry e = new Wire.PortEntry();
            e.name = p.name().orElse(null);
            e.target = p.target().value();
            e.protocol = p.protocol();
            return e;
        }).toList();
        s.spec.runtime.envs = spec.envs().isEmpty() ? null : spec.envs().stream().map(v -> {
            Wire.Env e = new Wire.Env();
            e.name = v.name();
            e.value = v.value();
            return e;
        }).toList();
        return s;
    }

    static Sandbox toDomain(Wire.Sandbox s) {
        require(s != null && s.metadata != null && s.metadata.name != null, "sandbox without metadata.name");
        Wire.Runtime rt = s.spec == null || s.spec.runtime == null ? new Wire.Runtime() : s.spec.runtime;
        List<PortSpec> ports = new ArrayList<>();
        if (rt.ports != null) {
            for (Wire.PortEntry p : rt.ports) {
                require(p.target != null, "port without target");
                ports.add(new PortSpec(Optional.ofNullable(p.name), Port.of(p.target),
                        p.protocol == null ? "HTTP" : p.protocol));
            }
        }
        List<EnvVar> envs = rt.envs == null ? List.of()
                : rt.envs.stream().map(e -> new EnvVar(e.name, e.value == null ? "" : e.value)).toList();
        SandboxSpec spec = new SandboxSpec(SandboxName.of(s.metadata.name),
                rt.image == null ? SandboxSpec.DEFAULT_IMAGE : rt.image,
                rt.memory == null ? SandboxSpec.DEFAULT_MEMORY_MB : rt.memory, ports, envs,
                s.metadata.labels == null ? Map.of() : s.metadata.labels,
                Optional.ofNullable(s.metadata.externalId).filter(v -> !v.isEmpty()),
                Optional.ofNullable(s.metadata.displayName).filter(v -> !v.isEmpty()));
        Instant created = instant(s.metadata.createdAt).orElse(Instant.EPOCH);
        Instant updated = instant(s.metadata.updatedAt).filter(u -> !u.isBefore(created)).orElse(created);
        SandboxStatus status = s.status == null ? SandboxStatus.DEPLOYED : SandboxStatus.valueOf(s.status);
        return new Sandbox(spec, status, stripSlash(s.metadata.url), created, updated);
    }

    // ---- previews ----

    static Wire.Preview toWire(PreviewSpec spec) {
        Wire.Preview p = new Wire.Preview();
        p.metadata = new Wire.Metadata();
        p.metadata.name = spec.name().value();
        p.spec = new Wire.PreviewSpec();
        p.spec.port = spec.port().value();
        p.spec.isPublic = spec.isPublic();
        p.spec.expires = spec.expires().map(Instant::toString).orElse(null);
        p.spec.responseHeaders = spec.responseHeaders().isEmpty() ? null : new LinkedHashMap<>(spec.responseHeaders().values());
        p.spec.requestHeaders = spec.requestHeaders().isEmpty() ? null : new LinkedHashMap<>(spec.requestHeaders().values());
        return p;
    }

    static Preview toDomain(Wire.Preview p, SandboxName asked) {
        require(p != null && p.metadata != null && p.metadata.name != null && p.spec != null && p.spec.port != null,
                "preview without metadata.name or spec.port");
        SandboxName sandbox = p.metadata.resourceName == null || p.metadata.resourceName.isEmpty()
                ? asked : SandboxName.of(p.metadata.resourceName);
        PreviewSpec spec = new PreviewSpec(PreviewName.of(p.metadata.name), Port.of(p.spec.port),
                Boolean.TRUE.equals(p.spec.isPublic),
                HttpHeaders.of(p.spec.responseHeaders == null ? Map.of() : p.spec.responseHeaders),
                HttpHeaders.of(p.spec.requestHeaders == null ? Map.of() : p.spec.requestHeaders),
                instant(p.spec.expires));
        return new Preview(sandbox, spec, stripSlash(p.spec.url), instant(p.metadata.createdAt).orElse(Instant.EPOCH));
    }

    // ---- tokens ----

    static Wire.Token toWire(TokenName name, Instant expiresAt) {
        Wire.Token t = new Wire.Token();
        t.metadata = new Wire.Metadata();
        t.metadata.name = name.value();
        t.spec = new Wire.TokenSpec();
        t.spec.expiresAt = expiresAt.toString();
        return t;
    }

    static PreviewToken toDomain(Wire.Token t, SandboxName sandbox, PreviewName preview) {
        require(t != null && t.metadata != null && t.metadata.name != null && t.spec != null
                && t.spec.token != null && t.spec.expiresAt != null, "token without name, value or expiresAt");
        return new PreviewToken(TokenName.of(t.metadata.name), sandbox, preview, TokenValue.of(t.spec.token),
                instant(t.spec.expiresAt).orElseThrow(() -> new IllegalArgumentException("unreadable expiresAt")));
    }

    // ---- processes ----

    static Wire.ProcessRequest toWire(ProcessSpec spec) {
        Wire.ProcessRequest r = new Wire.ProcessRequest();
        r.command = spec.command();
        r.name = spec.name().map(ProcessName::value).orElse(null);
        r.workingDir = spec.workingDir().map(SandboxPath::value).orElse(null);
        r.env = spec.env().isEmpty() ? null : new LinkedHashMap<>(spec.env());
        r.waitForCompletion = spec.waitForCompletion() ? Boolean.TRUE : null;
        r.waitForPorts = spec.waitForPorts().isEmpty() ? null : spec.waitForPorts().stream().map(Port::value).toList();
        r.timeout = spec.timeout().map(java.time.Duration::toSeconds).orElse(null);
        r.keepAlive = spec.keepAlive() ? Boolean.TRUE : null;
        r.restartOnFailure = spec.restartOnFailure() ? Boolean.TRUE : null;
        r.maxRestarts = spec.restartOnFailure() ? spec.maxRestarts() : null;
        r.stdin = spec.stdin() ? Boolean.TRUE : null;
        return r;
    }

    static ProcessInfo toDomain(Wire.ProcessResponse p) {
        require(p != null && p.pid != null && !p.pid.isBlank() && p.command != null, "process without pid or command");
        ProcessStatus status = p.status == null || p.status.isEmpty() ? ProcessStatus.RUNNING : ProcessStatus.fromWire(p.status);
        Instant started = instant(p.startedAt).orElse(Instant.EPOCH);
        Optional<Instant> completed = status.isTerminal() ? instant(p.completedAt).filter(c -> !c.isBefore(started))
                : Optional.empty();
        Optional<Integer> exitCode = status.isTerminal() ? Optional.ofNullable(p.exitCode) : Optional.empty();
        ProcessName name = ProcessName.of(p.name == null || p.name.isEmpty() ? "proc-" + p.pid : p.name);
        return new ProcessInfo(p.pid, name, p.command, status, exitCode,
                SandboxPath.of(p.workingDir == null ? "/" : p.workingDir), started, completed,
                p.restartCount == null ? 0 : p.restartCount, Boolean.TRUE.equals(p.keepAlive),
                Boolean.TRUE.equals(p.restartOnFailure), p.maxRestarts == null ? 0 : p.maxRestarts,
                status == ProcessStatus.FAILED && Boolean.TRUE.equals(p.oomKilled));
    }

    static ProcessLogs toDomain(Wire.Logs l) {
        require(l != null, "empty logs body");
        return new ProcessLogs(nz(l.stdout), nz(l.stderr), nz(l.logs), false);
    }

    // ---- files ----

    static FileEntry toEntry(Wire.FileOrDirectory f, SandboxPath asked, boolean directory) {
        SandboxPath path = f.path == null ? asked : SandboxPath.of(f.path);
        return new FileEntry(path, directory, f.size == null ? 0 : f.size, permissions(f.permissions),
                instant(f.lastModified).orElse(Instant.EPOCH));
    }

    static boolean isDirectory(Wire.FileOrDirectory f) {
        return f.content == null && (f.files != null || f.subdirectories != null);
    }

    static DirectoryListing toListing(Wire.FileOrDirectory d, SandboxPath asked) {
        SandboxPath path = d.path == null ? asked : SandboxPath.of(d.path);
        List<FileEntry> files = d.files == null ? List.of()
                : d.files.stream().map(f -> toEntry(f, path.resolve(nz(f.name)), false)).toList();
        List<FileEntry> dirs = d.subdirectories == null ? List.of()
                : d.subdirectories.stream().map(f -> toEntry(f, path.resolve(nz(f.name)), true)).toList();
        return new DirectoryListing(path, files, dirs);
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

    // ---- shared ----

    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME;

    /** ISO-8601 (any offset, any fraction) or RFC 1123, as servers send; empty for absent or unreadable values. */
    static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException notIso) {
            try {
                return Optional.of(OffsetDateTime.parse(text, RFC_1123).toInstant());
            } catch (DateTimeParseException notRfc) {
                return Optional.empty();
            }
        }
    }

    static String rfc1123(Instant instant) {
        return RFC_1123.format(instant.atOffset(ZoneOffset.UTC));
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

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException(what);
        }
    }
}
