package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Application previews by host name under a preview domain: {@code <preview>-<sandbox>.<domain>}, on the broker's
 * own scheme and port. Each preview is then an origin (and, for {@code localhost}, a site) of its own, so its cookies
 * are its own and root-absolute paths are the application's. Browsers resolve every {@code *.localhost} name to
 * loopback by themselves; a real domain needs a wildcard DNS record (and, for https, a wildcard certificate) in front.
 *
 * <p>The label is at most 63 characters, so a preview whose {@code <preview>-<sandbox>} is longer keeps the other
 * forms. Names may hold {@code -} themselves, so a label is resolved by trying each split, preview name first
 * shortest, and taking the first that names an application preview; the result is remembered until a request finds
 * that preview gone (that request answers 404; the next resolves the label again).
 */
final class PreviewHosts {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_LABEL = 63;

    record Key(SandboxName sandbox, PreviewName preview) {
    }

    /**
     * Where a label's candidate previews are looked up: the gateway's previews, or in a cluster the shared store's,
     * which hold every node's (a front has no sandbox of its own). Blocking.
     */
    interface Lookup {
        Optional<Preview> find(SandboxName sandbox, PreviewName preview);
    }

    private static final int MAX_REMEMBERED = 10_000;

    private final java.util.Map<String, Key> resolved = new java.util.concurrent.ConcurrentHashMap<>();
    private final String domain;
    private final String scheme;
    private final int port;
    private final boolean defaultPort;

    PreviewHosts(String domain, URI publicUrl) {
        this.domain = domain;
        this.scheme = publicUrl.getScheme().toLowerCase(Locale.ROOT);
        int fallback = scheme.equals("https") ? 443 : 80;
        this.port = publicUrl.getPort() < 0 ? fallback : publicUrl.getPort();
        this.defaultPort = port == fallback;
    }

    /** {@code scheme://<preview>-<sandbox>.<domain>[:port]}, when the label fits in 63 characters. */
    Optional<String> urlFor(SandboxName sandbox, PreviewName preview) {
        String label = preview.value() + "-" + sandbox.value();
        if (label.length() > MAX_LABEL) {
            return Optional.empty();
        }
        return Optional.of(scheme + "://" + label + "." + domain + (defaultPort ? "" : ":" + port));
    }

    /**
     * The preview label a request's {@code Host} names: exactly one Host, {@code <label>.<domain>} with the broker's
     * port or none (case and one trailing dot ignored); empty for any other host, which the broker's own host check
     * then judges.
     */
    Optional<String> labelOf(List<String> hostHeaders) {
        if (hostHeaders.size() != 1) {
            return Optional.empty();
        }
        String host = hostHeaders.get(0).trim().toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            String portText = host.substring(colon + 1);
            if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) != port) {
                return Optional.empty();
            }
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        String suffix = "." + domain;
        if (!host.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = host.substring(0, host.length() - suffix.length());
        return LABEL.matcher(label).matches() && label.indexOf('-') > 0 ? Optional.of(label) : Optional.empty();
    }

    /** The preview a label was last resolved to, if it still is remembered (no gateway call). */
    Optional<Key> remembered(String label) {
        return Optional.ofNullable(resolved.get(label));
    }

    /** Forgets what a label resolved to (its preview is gone). */
    void forget(String label) {
        resolved.remove(label);
    }

    /**
     * The application preview a label names, looked up with {@code lookup} (blocking: call it on a worker) and
     * remembered, so that later requests to the same host name need no lookup of their own.
     */
    Optional<Key> resolve(String label, Lookup lookup) {
        Optional<Key> key = lookUp(label, lookup);
        key.ifPresent(k -> {
            if (resolved.size() >= MAX_REMEMBERED) {
                resolved.clear();
            }
            resolved.put(label, k);
        });
        return key;
    }

    private Optional<Key> lookUp(String label, Lookup lookup) {
        for (int i = label.indexOf('-'); i > 0; i = label.indexOf('-', i + 1)) {
            Optional<PreviewName> preview = name(label.substring(0, i), PreviewName::of);
            Optional<SandboxName> sandbox = name(label.substring(i + 1), SandboxName::of);
            if (preview.isEmpty() || sandbox.isEmpty()) {
                continue;
            }
            Optional<Preview> found;
            try {
                found = lookup.find(sandbox.get(), preview.get()).filter(p -> !p.isSandboxApi());
            } catch (dev.sandgate.domain.SandgateException.NotFound noSuchSandbox) {
                continue;
            }
            if (found.isPresent()) {
                return Optional.of(new Key(sandbox.get(), preview.get()));
            }
        }
        return Optional.empty();
    }

    private static <T> Optional<T> name(String value, java.util.function.Function<String, T> parse) {
        try {
            return Optional.of(parse.apply(value));
        } catch (IllegalArgumentException invalid) {
            return Optional.empty();
        }
    }
}
