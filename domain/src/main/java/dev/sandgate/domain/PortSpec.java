package dev.sandgate.domain;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** A port a sandbox declares: an optional name, the target port inside the sandbox, and a protocol (HTTP or TCP). */
public record PortSpec(Optional<String> name, Port target, String protocol) {
    public PortSpec {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(target, "target must not be null");
        Objects.requireNonNull(protocol, "protocol must not be null");
        name.ifPresent(n -> Names.require(n, Names.IDENTIFIER, "port name",
                "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        protocol = protocol.toUpperCase(Locale.ROOT);
        if (!protocol.equals("HTTP") && !protocol.equals("TCP")) {
            throw new IllegalArgumentException("port protocol '" + Names.printable(protocol) + "' is invalid: use HTTP or TCP");
        }
    }

    public static PortSpec http(String name, int target) {
        return new PortSpec(Optional.of(name), Port.of(target), "HTTP");
    }
}
