package dev.sandgate.adapter.local;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives token values from the store's key: a token's value is {@value #PREFIX}{@code +
 * base64url(HMAC-SHA256(key, "<sandbox>|<preview>|<token name>|" + nonce))} (43 characters after the prefix, 256
 * bits), where the nonce is 32 random bytes kept in the token's record. Because the sandbox, preview and name are
 * inside the MAC, a value is bound to its own token; because the key is kept apart from the records, a copy of the
 * records yields no usable token. Thread-safe.
 */
final class TokenMinter {
    /** Prefix of every token value, so that secret scanners can find leaked ones. */
    static final String PREFIX = "bxp_";
    private static final int NONCE_BYTES = 32;
    private static final int VALUE_CHARS = PREFIX.length() + 43;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final SecureRandom random = new SecureRandom();

    /** A minter over {@code key}, which must hold at least {@value KeyFile#KEY_BYTES} bytes (it is copied). */
    TokenMinter(byte[] key) {
        if (key.length < KeyFile.KEY_BYTES) {
            throw new IllegalArgumentException("the token key has " + key.length + " bytes; it needs at least "
                    + KeyFile.KEY_BYTES);
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** A fresh random nonce for a new token. */
    byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    /** The value of the token {@code name} of that preview with {@code nonce}. */
    TokenValue derive(SandboxName sandbox, PreviewName preview, TokenName name, byte[] nonce) {
        Mac mac = macs.get();
        mac.update((sandbox.value() + "|" + preview.value() + "|" + name.value() + "|")
                .getBytes(StandardCharsets.US_ASCII));
        return TokenValue.of(PREFIX + B64.encodeToString(mac.doFinal(nonce)));
    }

    static String encodeNonce(byte[] nonce) {
        return B64.encodeToString(nonce);
    }

    static byte[] decodeNonce(String nonce) {
        return B64D.decode(nonce);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    /** {@code bxp_} and 43 base64url characters; checked before anything else, in time independent of secrets. */
    static boolean wellFormed(String presented) {
        if (presented.length() != VALUE_CHARS || !presented.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < VALUE_CHARS; i++) {
            char c = presented.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        // 43 characters carry 258 bits; the last one may only use the values that leave the 2 spare bits zero.
        return (decodeChar(presented.charAt(VALUE_CHARS - 1)) & 0b11) == 0;
    }

    private static int decodeChar(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }
}
