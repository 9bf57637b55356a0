package dev.sandgate.adapter.vertx;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names this broker answers to, checked against every request's {@code Host} before routing (the defence
 * against DNS rebinding: a page on {@code attacker.example} whose name now resolves to 127.0.0.1 still sends
 * {@code Host: attacker.example}).
 *
 * <p>Allowed: the host of the public URL, with its port (explicit, or the scheme's default) or without one; and
 * when the broker is bound to a loopback or wildcard address, also {@code 127.0.0.1}, {@code localhost} and
 * {@code [::1]} with the bound port or without one. Names compare ignoring case and one trailing dot. Anything
 * else gets 421; a missing, empty, repeated or malformed {@code Host} gets 400. Only string checks: cheap on the event loop.
 * A broker bound to a wildcard address and reached by other names needs a public URL naming them.
 */
final class OwnHosts {
    private static final Set<String> LOOPBACK_BINDS = Set.of("127.0.0.1", "localhost", "::1", "[::1]",
            "0:0:0:0:0:0:0:1", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");
    private static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "localhost", "[::1]");

    /** {@code name} or {@code name:port}, lowercase, without a trailing dot. */
    private final Set<String> allowed;

    private OwnHosts(Set<String> allowed) {
        this.allowed = Set.copyOf(allowed);
    }

    static OwnHosts of(URI publicUrl, String bindHost, int actualPort) {
        Set<String> allowed = new HashSet<>();
        String publicHost = normalise(publicUrl.getHost());
        int publicPort = publicUrl.getPort() >= 0 ? publicUrl.getPort()
                : "https".equalsIgnoreCase(publicUrl.getScheme()) ? 443 : 80;
        allowed.add(publicHost);
        allowed.add(publicHost + ":" + publicPort);
        if (LOOPBACK_BINDS.contains(bindHost.toLowerCase(Locale.ROOT)) || bindHost.startsWith("127.")) {
            for (String name : LOOPBACK_NAMES) {
                allowed.add(name);
                allowed.add(name + ":" + actualPort);
            }
        }
        return new OwnHosts(allowed);
    }

    /** 0 when the request's Host values name this broker, otherwise the status to answer (400 or 421). */
    int check(List<String> hostHeaders) {
        if (hostHeaders.size() != 1) {
            return 400;
        }
        String host = hostHeaders.get(0).trim();
        if (host.isEmpty()) {
            return 400;
        }
        String name;
        String port;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return 400;
            }
            name = host.substring(0, close + 1);
            String after = host.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                return 400;
            }
            port = after.isEmpty() ? null : after.substring(1);
        } else {
            int colon = host.indexOf(':');
            if (colon != host.lastIndexOf(':')) {
                return 400;
            }
            name = colon < 0 ? host : host.substring(0, colon);
            port = colon < 0 ? null : host.substring(colon + 1);
        }
        if (port != null && (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9'))) {
            return 400;
        }
        String key = normalise(name);
        if (port != null) {
            key = key + ":" + Integer.parseInt(port);
        }
        return allowed.contains(key) ? 0 : 421;
    }

    private static String normalise(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
    }
}
