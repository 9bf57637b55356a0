package dev.sandgate.adapter.redis;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How token values come from the cluster's token key, the same way as in the embedded file store, so one key file
 * serves both: a token's value is {@value #PREFIX}{@code + base64url(HMAC-SHA256(key, "<sandbox>|<preview>|<token>|"
 * + nonce))}, 43 characters after the prefix. Redis holds the nonce, never the value. The verification index is keyed
 * too: {@code base64url(HMAC-SHA256(indexKey, value))}, with {@code indexKey = HMAC-SHA256(key, "sandgate
 * verification index")}, so a copy of Redis cannot even test a guessed value offline.
 */
final class TokenCrypto {
    static final String PREFIX = "bxp_";
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 32;
    private static final int VALUE_CHARS = PREFIX.length() + 43;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final ThreadLocal<Mac> values;
    private final ThreadLocal<Mac> index;
    private final SecureRandom random = new SecureRandom();

    TokenCrypto(byte[] key) {
        if (key.length < KEY_BYTES) {
            throw new IllegalArgumentException("the token key has " + key.length + " bytes; it needs at least "
                    + KEY_BYTES);
        }
        SecretKeySpec valueKey = new SecretKeySpec(key.clone(), "HmacSHA256");
        byte[] indexKey = mac(valueKey).doFinal("sandgate verification index".getBytes(StandardCharsets.US_ASCII));
        SecretKeySpec indexSpec = new SecretKeySpec(indexKey, "HmacSHA256");
        this.values = ThreadLocal.withInitial(() -> mac(valueKey));
        this.index = ThreadLocal.withInitial(() -> mac(indexSpec));
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    /** A fresh random nonce, base64url. */
    String newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return B64.encodeToString(nonce);
    }

    String derive(SandboxName sandbox, PreviewName preview, TokenName name, String nonce) {
        Mac mac = values.get();
        mac.update((sandbox.value() + "|" + preview.value() + "|" + name.value() + "|")
                .getBytes(StandardCharsets.US_ASCII));
        return PREFIX + B64.encodeToString(mac.doFinal(Base64.getUrlDecoder().decode(nonce)));
    }

    /** The index key of a (well-formed) value. */
    String indexHash(String value) {
        return B64.encodeToString(index.get().doFinal(value.getBytes(StandardCharsets.US_ASCII)));
    }

    /** {@code bxp_} and 43 base64url characters; checked before anything else, in time independent of secrets. */
    static boolean wellFormed(String presented) {
        if (presented.length() != VALUE_CHARS || !presented.startsWith(PREFIX)) {
            return false;
        }
        int last = 0;
        for (int i = PREFIX.length(); i < VALUE_CHARS; i++) {
            char c = presented.charAt(i);
            int v;
            if (c >= 'A' && c <= 'Z') {
                v = c - 'A';
            } else if (c >= 'a' && c <= 'z') {
                v = c - 'a' + 26;
            } else if (c >= '0' && c <= '9') {
                v = c - '0' + 52;
            } else if (c == '-' || c == '_') {
                v = c == '-' ? 62 : 63;
            } else {
                return false;
            }
            last = v;
        }
        // 43 characters carry 258 bits; the last one may only use the values that leave the 2 spare bits zero.
        return (last & 0b11) == 0;
    }
}
