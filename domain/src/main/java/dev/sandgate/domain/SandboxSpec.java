package dev.sandgate.domain;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a caller asks for when creating a sandbox. {@code image} is recorded (and, for the local runtime, names a
 * template directory); {@code memoryMb} is 1–1,048,576; ports are unique by target and name. {@code externalId} (the
 * caller's own identifier, to find the sandbox by) and {@code displayName} are 1–256 printable characters.
 */
public record SandboxSpec(SandboxName name, String image, int memoryMb, List<PortSpec> ports, List<EnvVar> envs,
                          Map<String, String> labels, Optional<String> externalId, Optional<String> displayName) {
    public static final String DEFAULT_IMAGE = "blaxel/base-image:latest";
    public static final int DEFAULT_MEMORY_MB = 4096;

    public SandboxSpec {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(image, "image must not be null");
        if (image.isBlank() || image.length() > 512 || image.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("image '" + Names.printable(image)
                    + "' is invalid: give 1-512 printable characters");
        }
        if (memoryMb < 1 || memoryMb > 1_048_576) {
            throw new IllegalArgumentException("memory " + memoryMb + " MB is out of range 1-1048576");
        }
        ports = List.copyOf(Objects.requireNonNull(ports, "ports must not be null"));
        envs = List.copyOf(Objects.requireNonNull(envs, "envs must not be null"));
        labels = Map.copyOf(Objects.requireNonNull(labels, "labels must not be null"));
        requireUnique(name, "target port", ports.stream().map(p -> p.target().toString()).toList());
        requireUnique(name, "port name", ports.stream().flatMap(p -> p.name().stream()).toList());
        requireUnique(name, "variable name", envs.stream().map(EnvVar::name).toList());
        labels.forEach((k, v) -> {
            if (k.isEmpty() || k.length() > 256 || v.length() > 1024) {
                throw new IllegalArgumentException("label '" + Names.printable(k) + "' is invalid: keys 1-256 "
                        + "characters, values at most 1024");
            }
        });
        requireText("externalId", Objects.requireNonNull(externalId, "externalId must not be null"));
        requireText("displayName", Objects.requireNonNull(displayName, "displayName must not be null"));
    }

    private static void requireText(String what, Optional<String> value) {
        value.ifPresent(v -> {
            if (v.isEmpty() || v.length() > 256 || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException(what + " '" + Names.printable(v) + "' is invalid: give 1-256 "
                        + "printable characters");
            }
        });
    }

    private static void requireUnique(SandboxName sandbox, String what, List<String> values) {
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            if (!seen.add(value)) {
                throw new IllegalArgumentException("sandbox " + sandbox + " repeats " + what + " '"
                        + Names.printable(value) + "'");
            }
        }
    }

    /** A spec with the wire protocol's defaults: image {@value #DEFAULT_IMAGE}, {@value #DEFAULT_MEMORY_MB} MB. */
    public static SandboxSpec of(SandboxName name) {
        return new SandboxSpec(name, DEFAULT_IMAGE, DEFAULT_MEMORY_MB, List.of(), List.of(), Map.of(), Optional.empty(),
                Optional.empty());
    }

    /** {@link #of(SandboxName)} with the name as a string. */
    public static SandboxSpec of(String name) {
        return of(SandboxName.of(Objects.requireNonNull(name, "name must not be null")));
    }

    public SandboxSpec withImage(String image) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, externalId, displayName);
    }

    public SandboxSpec withMemoryMb(int memoryMb) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, externalId, displayName);
    }

    public SandboxSpec withPorts(List<PortSpec> ports) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, externalId, displayName);
    }

    public SandboxSpec withEnvs(List<EnvVar> envs) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, externalId, displayName);
    }

    public SandboxSpec withLabels(Map<String, String> labels) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, externalId, displayName);
    }

    public SandboxSpec withExternalId(String externalId) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, Optional.of(externalId), displayName);
    }

    public SandboxSpec withDisplayName(String displayName) {
        return new SandboxSpec(name, image, memoryMb, ports, envs, labels, externalId, Optional.of(displayName));
    }
}
