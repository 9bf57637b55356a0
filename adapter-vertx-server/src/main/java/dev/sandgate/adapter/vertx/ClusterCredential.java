package dev.sandgate.adapter.vertx;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What one broker of a cluster shows another when it forwards a request: the header {@value #HEADER} with a value
 * every broker derives from the token key they already share, {@code base64url(HMAC-SHA256(tokenKey, LABEL))}, so that
 * nothing new must be distributed. No client ever holds it: a token is the HMAC of a message that contains
 * {@code |} (sandbox, preview and token names with a nonce), the verification index key that of another label, so the
 * credential is none of them and reveals none; without the key it cannot be forged. It is compared in constant time,
 * stripped before anything is relayed to a sandbox, and never logged ({@link #toString()} hides it).
 *
 * <p>It grants no access: a forwarded request is still judged on the client's own credential by the node that owns
 * the sandbox. It only says "this request was forwarded by a broker of this cluster": the receiver never forwards it
 * again (no loops), does not apply the client-address limits to the forwarding broker's address, and takes the Host
 * the forwarding broker chose.
 */
public final class ClusterCredential {
    /** The header that carries the credential between brokers; a client that sends it is refused (403). */
    public static final String HEADER = "X-Sandgate-Cluster";
    /** The fixed label the credential is derived from; changing it changes every cluster's credential. */
    static final String LABEL = "sandgate cluster credential v1";

    private final byte[] value;
    private final String header;

    private ClusterCredential(byte[] value) {
        this.value = value;
        this.header = Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    /** The credential of the cluster whose brokers share {@code tokenKey} (the bytes of {@code --token-key-file}). */
    public static ClusterCredential derive(byte[] tokenKey) {
        Objects.requireNonNull(tokenKey, "tokenKey must not be null");
        if (tokenKey.length < 16) {
            throw new IllegalArgumentException("the token key must hold at least 16 bytes, had " + tokenKey.length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokenKey, "HmacSHA256"));
            return new ClusterCredential(mac.doFinal(LABEL.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The header's value, to send to another broker of the cluster (never to a client, never logged). */
    public String headerValue() {
        return header;
    }

    /** Whether {@code presented} is this cluster's credential; constant time for values of the right length. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(header.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "ClusterCredential[***]";
    }
}
