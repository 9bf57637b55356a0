package dev.sandgate.domain;

/**
 * The name of a sandbox: a lowercase DNS label, 1–63 characters of {@code a-z}, {@code 0-9} and {@code -},
 * starting and ending with a letter or digit (so it can appear in a host name and a path segment unescaped).
 */
public record SandboxName(String value) {
    public SandboxName {
        Names.require(value, Names.DNS_LABEL, "sandbox name",
                "use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit");
    }

    public static SandboxName of(String value) {
        return new SandboxName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
