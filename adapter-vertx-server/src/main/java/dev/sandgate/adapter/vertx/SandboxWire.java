package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.ports.UrlScheme;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import static dev.sandgate.adapter.vertx.WireJson.*;

/**
 * The control plane's sandbox bodies (protocol section b.1), written from a {@link Sandbox} and read into a
 * {@link SandboxSpec}. Part of the broker's wire mapping ({@link WireJson}).
 */
final class SandboxWire {
    private SandboxWire() {
    }

    static JsonObject sandbox(Sandbox s, String workspace, UrlScheme urls) {
        JsonObject runtime = new JsonObject()
                .put("image", s.image())
                .put("memory", s.memoryMb())
                .put("ports", new JsonArray(s.ports().stream().map(p -> {
                    JsonObject port = new JsonObject();
                    p.name().ifPresent(n -> port.put("name", n));
                    return port.put("target", p.target().value()).put("protocol", p.protocol());
                }).toList()))
                .put("envs", new JsonArray(s.envs().stream()
                        .map(e -> new JsonObject().put("name", e.name()).put("value", e.value())).toList()));
        JsonObject metadata = new JsonObject()
                .put("name", s.name().value())
                .put("workspace", workspace)
                .put("url", urls.sandboxUrl(s.name()))
                .put("labels", new JsonObject(new LinkedHashMap<>(s.labels())));
        s.spec().externalId().ifPresent(id -> metadata.put("externalId", id));
        s.spec().displayName().ifPresent(n -> metadata.put("displayName", n));
        return new JsonObject()
                .put("metadata", metadata
                        .put("createdAt", s.createdAt().toString())
                        .put("updatedAt", s.updatedAt().toString()))
                .put("spec", new JsonObject().put("runtime", runtime))
                .put("status", s.status().name())
                .put("events", new JsonArray());
    }

    /**
     * A sandbox spec from a create or update body. Absent fields come from {@code base} (the existing sandbox on
     * update, the wire protocol's defaults on create).
     */
    static SandboxSpec sandboxSpec(JsonObject body, SandboxName name, SandboxSpec base) {
        JsonObject metadata = obj(body, "metadata");
        JsonObject spec = obj(body, "spec");
        JsonObject runtime = spec == null ? null : obj(spec, "spec.runtime", "runtime");
        SandboxSpec result = base;
        if (metadata != null && metadata.containsKey("labels") && metadata.getValue("labels") != null) {
            result = result.withLabels(stringMap(metadata, "metadata.labels", "labels"));
        }
        if (metadata != null) {
            String externalId = str(metadata, "metadata.externalId", "externalId");
            if (externalId != null && !externalId.isEmpty()) {
                result = result.withExternalId(externalId);
            }
            String displayName = str(metadata, "metadata.displayName", "displayName");
            if (displayName != null && !displayName.isEmpty()) {
                result = result.withDisplayName(displayName);
            }
        }
        if (runtime != null) {
            String image = str(runtime, "spec.runtime.image", "image");
            if (image != null) {
                result = result.withImage(image);
            }
            Integer memory = integer(runtime, "spec.runtime.memory", "memory");
            if (memory != null) {
                result = result.withMemoryMb(memory);
            }
            JsonArray ports = arr(runtime, "spec.runtime.ports", "ports");
            if (ports != null) {
                List<PortSpec> list = new ArrayList<>();
                for (Object o : ports) {
                    if (!(o instanceof JsonObject p)) {
                        throw invalid("spec.runtime.ports must hold objects with a numeric target");
                    }
                    Integer target = integer(p, "ports[].target", "target");
                    if (target == null) {
                        throw invalid("spec.runtime.ports[].target is required");
                    }
                    String protocol = str(p, "ports[].protocol", "protocol");
                    list.add(new PortSpec(Optional.ofNullable(str(p, "ports[].name", "name")), Port.of(target),
                            protocol == null ? "HTTP" : protocol));
                }
                result = result.withPorts(list);
            }
            JsonArray envs = arr(runtime, "spec.runtime.envs", "envs");
            if (envs != null) {
                List<EnvVar> list = new ArrayList<>();
                for (Object o : envs) {
                    if (!(o instanceof JsonObject e)) {
                        throw invalid("spec.runtime.envs must hold {name, value} objects");
                    }
                    String value = str(e, "envs[].value", "value");
                    list.add(new EnvVar(str(e, "envs[].name", "name"), value == null ? "" : value));
                }
                result = result.withEnvs(list);
            }
        }
        return new SandboxSpec(name, result.image(), result.memoryMb(), result.ports(), result.envs(), result.labels(),
                result.externalId(), result.displayName());
    }

}
