package dev.sandgate.app;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * What a broker on the {@link GatewayKind#REMOTE remote} gateway fronts: the control plane of another Sandgate broker
 * or of Blaxel's hosted API, the API key this broker alone holds for it, and the workspace there. The key never
 * appears in {@link #toString()}, a log line or an error message; clients of this broker never see it.
 *
 * <p>Application previews are not reached through the upstream's URLs: the broker proxies them to its
 * {@code upstream-host} and the preview's port ({@code 127.0.0.1} by default, right when the provider runs on the
 * same machine). A provider on another machine needs {@code upstream-host} set to that machine, with its sandboxes'
 * ports reachable from this broker.
 *
 * @param url       the upstream control-plane base, e.g. {@code http://127.0.0.1:9090/v0} or
 *                  {@code https://api.blaxel.ai/v0}: absolute http(s), no user info, query or fragment
 * @param apiKey    the upstream's API key, sent only to the upstream
 * @param keyOrigin where the key came from ({@code SANDGATE_UPSTREAM_API_KEY}, a file...), for the start-up summary
 * @param workspace the workspace at the upstream
 */
public record Upstream(URI url, String apiKey, String keyOrigin, String workspace) {

    public Upstream {
        Objects.requireNonNull(url, "url must not be null");
        Objects.requireNonNull(apiKey, "apiKey must not be null");
        Objects.requireNonNull(keyOrigin, "keyOrigin must not be null");
        Objects.requireNonNull(workspace, "workspace must not be null");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || url.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))
                || url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream url " + url
                    + " must be an absolute http(s) URL without user info, query or fragment");
        }
        if (!validKey(apiKey)) {
            // The key itself is never echoed.
            throw new IllegalArgumentException("upstream apiKey is invalid: give 1-4096 printable ASCII characters"
                    + " without spaces");
        }
        if (workspace.isBlank()) {
            throw new IllegalArgumentException("upstream workspace must not be blank");
        }
    }

    /** Whether {@code key} can be sent as a header value: 1-4096 printable ASCII characters, no spaces. */
    static boolean validKey(String key) {
        return !key.isEmpty() && key.length() <= 4096 && key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    @Override
    public String toString() {
        return "Upstream[url=" + url + ", apiKey=*** (from " + keyOrigin + "), workspace=" + workspace + "]";
    }
}
