package dev.sandgate.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A sandbox as a gateway reports it. {@code url} is the base of its data plane (the sandbox API), an absolute URL
 * without a trailing slash, or empty when the gateway serves no HTTP data plane.
 */
public record Sandbox(SandboxSpec spec, SandboxStatus status, String url, Instant createdAt, Instant updatedAt) {
    public Sandbox {
        Objects.requireNonNull(spec, "spec must not be null");
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        Objects.requireNonNull(updatedAt, "updatedAt must not be null");
        if (url.endsWith("/")) {
            throw new IllegalArgumentException("sandbox url '" + url + "' must not end with '/'");
        }
        if (updatedAt.isBefore(createdAt)) {
            throw new IllegalArgumentException("updatedAt " + updatedAt + " is before createdAt " + createdAt);
        }
    }

    public SandboxName name() {
        return spec.name();
    }

    public String image() {
        return spec.image();
    }

    public int memoryMb() {
        return spec.memoryMb();
    }

    public List<PortSpec> ports() {
        return spec.ports();
    }

    public List<EnvVar> envs() {
        return spec.envs();
    }

    public Map<String, String> labels() {
        return spec.labels();
    }

    public Sandbox withStatus(SandboxStatus status) {
        return new Sandbox(spec, status, url, createdAt, updatedAt);
    }
}
