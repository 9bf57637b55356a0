package dev.sandgate.adapter.local;

import com.squareup.moshi.Json;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SessionPolicy;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.WebOrigin;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The persisted form of sandboxes, previews and tokens: plain classes of public fields that Moshi maps by
 * reflection, apart from the domain records so that the domain's validation runs again on every load. Each file
 * carries a {@code version} so that a later format can read an earlier one.
 */
final class LocalRecords {
    static final int VERSION = 1;

    private LocalRecords() {
    }

    /** {@code sandboxes/<name>/sandbox.json}. */
    static final class SandboxRecord {
        int version;
        String name;
        String image;
        int memoryMb;
        List<PortRecord> ports;
        List<EnvRecord> envs;
        Map<String, String> labels;
        /** Absent in records written before they existed: read as empty. */
        String externalId;
        String displayName;
        String status;
        Instant createdAt;
        Instant updatedAt;

        static SandboxRecord of(SandboxSpec spec, SandboxStatus status, Instant createdAt, Instant updatedAt) {
            SandboxRecord r = new SandboxRecord();
            r.version = VERSION;
            r.name = spec.name().value();
            r.image = spec.image();
            r.memoryMb = spec.memoryMb();
            r.ports = new ArrayList<>();
            for (PortSpec p : spec.ports()) {
                PortRecord pr = new PortRecord();
                pr.name = p.name().orElse(null);
                pr.target = p.target().value();
                pr.protocol = p.protocol();
                r.ports.add(pr);
            }
            r.envs = new ArrayList<>();
            for (EnvVar e : spec.envs()) {
                EnvRecord er = new EnvRecord();
                er.name = e.name();
                er.value = e.value();
                r.envs.add(er);
            }
            r.labels = new LinkedHashMap<>(spec.labels());
            r.externalId = spec.externalId().orElse(null);
            r.displayName = spec.displayName().orElse(null);
            r.status = status.name();
            r.createdAt = createdAt;
            r.updatedAt = updatedAt;
            return r;
        }

        SandboxSpec spec() {
            List<PortSpec> portSpecs = new ArrayList<>();
            for (PortRecord p : listOrEmpty(ports)) {
                portSpecs.add(new PortSpec(Optional.ofNullable(p.name), Port.of(p.target), p.protocol));
            }
            List<EnvVar> envVars = new ArrayList<>();
            for (EnvRecord e : listOrEmpty(envs)) {
                envVars.add(new EnvVar(e.name, e.value));
            }
            return new SandboxSpec(SandboxName.of(name), image, memoryMb, portSpecs, envVars,
                    labels == null ? Map.of() : labels, Optional.ofNullable(externalId), Optional.ofNullable(displayName));
        }
    }

    static final class PortRecord {
        String name;
        int target;
        String protocol;
    }

    static final class EnvRecord {
        String name;
        String value;
    }

    /** {@code access/<sandbox>/<preview>.json}: one preview and its tokens. */
    static final class PreviewRecord {
        int version;
        String sandbox;
        String name;
        int port;
        @Json(name = "public")
        boolean isPublic;
        Map<String, String> responseHeaders;
        Map<String, String> requestHeaders;
        Instant expires;
        String url;
        Instant createdAt;
        long seq;
        /** Oldest first. */
        List<TokenRecord> tokens;
        /** Sandgate's own terms of a session; absent (records written before they existed, or full scopes): full. */
        PolicyRecord sandgate;

        static PreviewRecord of(Preview preview, long seq, List<TokenRecord> tokens) {
            PreviewRecord r = new PreviewRecord();
            r.version = VERSION;
            r.sandbox = preview.sandbox().value();
            r.name = preview.name().value();
            r.port = preview.port().value();
            r.isPublic = preview.isPublic();
            r.responseHeaders = new LinkedHashMap<>(preview.spec().responseHeaders().values());
            r.requestHeaders = new LinkedHashMap<>(preview.spec().requestHeaders().values());
            r.expires = preview.expires().orElse(null);
            r.url = preview.url();
            r.createdAt = preview.createdAt();
            r.seq = seq;
            r.tokens = tokens;
            r.sandgate = PolicyRecord.of(preview.spec().policy());
            return r;
        }

        Preview preview() {
            PreviewSpec spec = new PreviewSpec(PreviewName.of(name), Port.of(port), isPublic,
                    HttpHeaders.of(responseHeaders == null ? Map.of() : responseHeaders),
                    HttpHeaders.of(requestHeaders == null ? Map.of() : requestHeaders), Optional.ofNullable(expires),
                    sandgate == null ? SessionPolicy.DEFAULT : sandgate.policy());
            return new Preview(SandboxName.of(sandbox), spec, url, createdAt);
        }
    }

    /**
     * A {@link SessionPolicy} as stored; {@code null} for the default. Each absent field is that term's default
     * (absent scopes: full scopes, as records written before scopes existed).
     */
    static final class PolicyRecord {
        ScopesRecord scopes;
        String subject;
        List<String> origins;
        QuotasRecord quotas;
        Instant maxExpiresAt;

        static PolicyRecord of(SessionPolicy policy) {
            if (policy.isDefault()) {
                return null;
            }
            PolicyRecord r = new PolicyRecord();
            SessionScopes s = policy.scopes();
            if (!s.equals(SessionScopes.full())) {
                r.scopes = new ScopesRecord();
                r.scopes.operations = new ArrayList<>(s.operationNames());
                r.scopes.paths = s.paths().map(ps -> ps.stream().map(SandboxPath::value).toList()).orElse(null);
                r.scopes.ports = s.ports().map(ps -> ps.stream().map(Port::value).sorted().toList()).orElse(null);
            }
            r.subject = policy.subject().map(SessionSubject::value).orElse(null);
            r.origins = policy.origins().isEmpty() ? null : policy.origins().stream().map(WebOrigin::value).toList();
            if (!policy.quotas().isDefaults()) {
                r.quotas = new QuotasRecord();
                r.quotas.requestsPerSecond = policy.quotas().requestsPerSecond().orElse(null);
                r.quotas.concurrentExecs = policy.quotas().concurrentExecs().orElse(null);
                r.quotas.concurrentStreams = policy.quotas().concurrentStreams().orElse(null);
            }
            r.maxExpiresAt = policy.maxExpiresAt().orElse(null);
            return r;
        }

        SessionPolicy policy() {
            SessionPolicy.Builder b = SessionPolicy.builder();
            if (scopes != null) {
                b.scopes(new SessionScopes(SessionScopes.operationsNamed(listOrEmpty(scopes.operations)),
                        Optional.ofNullable(scopes.paths).map(ps -> ps.stream().map(SandboxPath::of).toList()),
                        Optional.ofNullable(scopes.ports).map(ps -> ps.stream().map(Port::of)
                                .collect(java.util.stream.Collectors.toSet()))));
            }
            b.subject(Optional.ofNullable(subject).map(SessionSubject::of));
            b.origins(listOrEmpty(origins).stream().map(WebOrigin::of).toList());
            if (quotas != null) {
                b.quotas(new SessionQuotas(Optional.ofNullable(quotas.requestsPerSecond),
                        Optional.ofNullable(quotas.concurrentExecs), Optional.ofNullable(quotas.concurrentStreams)));
            }
            b.maxExpiresAt(Optional.ofNullable(maxExpiresAt));
            return b.build();
        }
    }

    /** {@link SessionQuotas} as stored; {@code null}: the broker's default for that limit. */
    static final class QuotasRecord {
        Integer requestsPerSecond;
        Integer concurrentExecs;
        Integer concurrentStreams;
    }

    /** {@link SessionScopes} as stored: operation names; {@code null} paths or ports: any. */
    static final class ScopesRecord {
        List<String> operations;
        List<String> paths;
        List<Integer> ports;
    }

    /**
     * A token as stored: its name, expiry, order and the random nonce its value is derived from. The value itself is
     * never stored (see {@link FileAccessStore}).
     */
    static final class TokenRecord {
        String name;
        /** 32 random bytes, base64url without padding. */
        String nonce;
        Instant expiresAt;
        long seq;
    }

    /**
     * One line of the access journal ({@code access/journal.log}): {@code put} (a preview's whole record, with its
     * tokens, as it now is), {@code del} (preview {@code name} of {@code sandbox} removed), {@code drop} (every
     * preview of {@code sandbox} removed) or {@code revoke} (revoke-all: the sessions of {@code sandbox}, of
     * {@code subject} if set, created at or before {@code before}, removed and refused from then on). Replayed in order; the last line about a preview wins.
     */
    static final class JournalEntry {
        int version;
        String op;
        PreviewRecord preview;
        String sandbox;
        String name;
        /** Of a {@code revoke}: the subject whose sessions were revoked; absent: every session. */
        String subject;
        /** Of a {@code revoke}: sessions created at or before it are revoked. */
        Instant before;

        static JournalEntry put(PreviewRecord preview) {
            JournalEntry e = new JournalEntry();
            e.version = VERSION;
            e.op = "put";
            e.preview = preview;
            return e;
        }

        static JournalEntry del(String sandbox, String name) {
            JournalEntry e = new JournalEntry();
            e.version = VERSION;
            e.op = "del";
            e.sandbox = sandbox;
            e.name = name;
            return e;
        }

        /** Sandgate's own: the sessions of {@code sandbox} (of {@code subject} when set) issued up to {@code before} revoked. */
        static JournalEntry revoke(String sandbox, String subject, Instant before) {
            JournalEntry e = new JournalEntry();
            e.version = VERSION;
            e.op = "revoke";
            e.sandbox = sandbox;
            e.subject = subject;
            e.before = before;
            return e;
        }

        static JournalEntry drop(String sandbox) {
            JournalEntry e = new JournalEntry();
            e.version = VERSION;
            e.op = "drop";
            e.sandbox = sandbox;
            return e;
        }
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
