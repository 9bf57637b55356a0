package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.access.PresentedToken;
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
     * The preview token a request presents, parsed once: the {@link #PREVIEW_TOKEN_HEADER} header, else the
     * {@code bl_preview_token} query parameter, else the cookie named {@code cookie} (when the mount takes one).
     */
    static PresentedToken presentedToken(HttpServerRequest request, java.util.Optional<String> cookie) {
        return PresentedToken.of(request.headers().getAll(PREVIEW_TOKEN_HEADER),
                PreviewProxy.queryValues(request.query(), PreviewProxy.TOKEN_PARAM),
                cookie.map(request::getCookie).map(io.vertx.core.http.Cookie::getValue));
    }

    /** The token a session URL's request presents: only the header counts there. */
    static PresentedToken sessionToken(HttpServerRequest request) {
        return PresentedToken.of(PresentedToken.Source.HEADER, request.headers().getAll(PREVIEW_TOKEN_HEADER));
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
