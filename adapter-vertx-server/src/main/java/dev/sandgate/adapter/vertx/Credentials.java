package dev.sandgate.adapter.vertx;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Checks the master credential: {@code X-Blaxel-Authorization: Bearer <key>} (or {@code Authorization: Bearer
 * <key>}) plus {@code X-Blaxel-Workspace: <workspace>}. The key is compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken depends on neither its length nor a common prefix.
 */
final class Credentials {
    static final String PREVIEW_TOKEN_HEADER = "X-Blaxel-Preview-Token";
    static final String AUTHORIZATION = "X-Blaxel-Authorization";
    static final String WORKSPACE = "X-Blaxel-Workspace";

    /** The shape every token has ({@link dev.sandgate.domain.TokenValue}); anything else is refused unlooked-up. */
    private static final java.util.regex.Pattern TOKEN_SHAPE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{16,512}");

    private final byte[] keyDigest;
    private final byte[] workspaceDigest;

    Credentials(String apiKey, String workspace) {
        this.keyDigest = sha256(apiKey);
        this.workspaceDigest = sha256(workspace);
    }

    /** Whether the request carries the API key and names this workspace. */
    boolean hasApiKey(HttpServerRequest request) {
        String workspace = request.getHeader(WORKSPACE);
        boolean key = isKey(bearer(request.getHeader(AUTHORIZATION)))
                | isKey(bearer(request.getHeader("Authorization")));
        boolean ws = workspace != null && MessageDigest.isEqual(workspaceDigest, sha256(workspace.trim()));
        return key & ws;
    }

    /**
     * The one preview token a request presents in {@link #PREVIEW_TOKEN_HEADER}: empty when the header is absent;
     * {@code ""} (which no token matches) when it is repeated or not shaped like a token, so that such a request
     * is refused like an unknown token, before any lookup.
     */
    static java.util.Optional<String> presentedToken(HttpServerRequest request) {
        java.util.List<String> values = request.headers().getAll(PREVIEW_TOKEN_HEADER);
        if (values.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(values.size() == 1 && isTokenShaped(values.get(0)) ? values.get(0) : "");
    }

    static boolean isTokenShaped(String presented) {
        return presented != null && TOKEN_SHAPE.matcher(presented).matches();
    }

    /** Whether an {@code Authorization} value is {@code Bearer <the API key>} (to keep it from a sandbox). */
    boolean isApiKeyAuthorization(String authorization) {
        return isKey(bearer(authorization));
    }

    private boolean isKey(String presented) {
        return presented != null && MessageDigest.isEqual(keyDigest, sha256(presented));
    }

    private static String bearer(String header) {
        if (header == null || header.length() < 7 || !header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        return header.substring(7).trim();
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
    }
}
