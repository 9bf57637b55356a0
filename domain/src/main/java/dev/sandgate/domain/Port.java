package dev.sandgate.domain;

/** A TCP port, 1–65535. Port 443 on a preview means "the sandbox API itself" (see {@link #SANDBOX_API}). */
public record Port(int value) {
    /** The port by which a preview designates the sandbox API rather than a port inside the sandbox. */
    public static final Port SANDBOX_API = new Port(443);

    public Port {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("port " + value + " is out of range 1-65535");
        }
    }

    public static Port of(int value) {
        return new Port(value);
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
