package dev.sandgate.app;

import java.util.Objects;

/**
 * Where the admin listener ({@code /metrics}, {@code /healthz}, {@code /readyz}) binds: {@code host:port}, or a port
 * alone on loopback. Off unless set (see {@link Setting#ADMIN_LISTEN}).
 */
public record AdminListen(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";

    public AdminListen {
        Objects.requireNonNull(host, "host must not be null");
        if (!host.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            throw new IllegalArgumentException("give an IP address or a host name before the port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
    }

    /** {@code host:port}, {@code [v6]:port} or {@code port} alone (on {@link #DEFAULT_HOST}). */
    static AdminListen parse(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? DEFAULT_HOST : value.substring(0, colon);
        String port = value.substring(colon + 1);
        if (!port.matches("\\d{1,5}") || host.isEmpty()) {
            throw new IllegalArgumentException("give host:port, such as 127.0.0.1:9464, or a port alone");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new AdminListen(host, Integer.parseInt(port));
    }
}
