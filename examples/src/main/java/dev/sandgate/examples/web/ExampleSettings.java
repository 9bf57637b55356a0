package dev.sandgate.examples.web;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * The example's own settings, beside the broker's {@code SANDGATE_*} ones.
 *
 * @param port    where the page and {@code /api/sandbox} are served ({@code EXAMPLE_PORT}, default 3001; 0 picks a
 *                free port)
 * @param appPort the dev server's port inside the sandbox ({@code EXAMPLE_APP_PORT}, default 3000)
 * @param sandbox the sandbox the page works in ({@code EXAMPLE_SANDBOX}, default {@code example})
 */
public record ExampleSettings(int port, int appPort, String sandbox) {
    public static final String HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 3001;
    public static final int DEFAULT_APP_PORT = 3000;
    public static final String DEFAULT_SANDBOX = "example";

    public ExampleSettings {
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("EXAMPLE_PORT " + port + " is out of range 0-65535");
        }
        if (appPort < 1 || appPort > 65535 || appPort == 443) {
            throw new IllegalArgumentException("EXAMPLE_APP_PORT " + appPort
                    + " is out of range 1-65535 (443 means the sandbox API)");
        }
    }

    /** Reads {@code EXAMPLE_PORT}, {@code EXAMPLE_APP_PORT} and {@code EXAMPLE_SANDBOX}, with their defaults. */
    public static ExampleSettings fromEnv(Map<String, String> env) {
        return new ExampleSettings(
                number(env, "EXAMPLE_PORT", DEFAULT_PORT),
                number(env, "EXAMPLE_APP_PORT", DEFAULT_APP_PORT),
                env.getOrDefault("EXAMPLE_SANDBOX", DEFAULT_SANDBOX).trim());
    }

    public ExampleSettings withPort(int port) {
        return new ExampleSettings(port, appPort, sandbox);
    }

    public ExampleSettings withAppPort(int appPort) {
        return new ExampleSettings(port, appPort, sandbox);
    }

    /** The page's origin once the server listens on {@code actualPort}: what the sandbox's CORS headers allow. */
    public static URI origin(int actualPort) {
        return URI.create("http://" + HOST + ":" + actualPort);
    }

    /**
     * The origin of a page that was asked for with the host name {@code requestedHost} from a server listening on
     * {@code actualPort}: {@code localhost} when the user opened it so (a different origin from 127.0.0.1 for the
     * browser), else {@link #origin(int)}. Only loopback names are taken from a request.
     */
    public static URI origin(String requestedHost, int actualPort) {
        return "localhost".equalsIgnoreCase(requestedHost)
                ? URI.create("http://localhost:" + actualPort) : origin(actualPort);
    }

    private static int number(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + value.trim() + "' is not a port number");
        }
    }
}
