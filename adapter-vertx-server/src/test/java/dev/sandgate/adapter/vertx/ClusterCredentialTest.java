package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ClusterCredentialTest {
    private static byte[] key(int seed) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) seed);
        return key;
    }

    @Test
    void every_broker_with_the_same_token_key_derives_the_same_credential_and_another_key_another() {
        ClusterCredential one = ClusterCredential.derive(key(1));

        assertThat(ClusterCredential.derive(key(1)).headerValue()).isEqualTo(one.headerValue());
        assertThat(one.matches(ClusterCredential.derive(key(1)).headerValue())).isTrue();
        assertThat(one.matches(ClusterCredential.derive(key(2)).headerValue())).isFalse();
        assertThat(one.headerValue()).hasSize(43);
    }

    @Test
    void a_guessed_or_truncated_or_absent_value_does_not_match() {
        ClusterCredential credential = ClusterCredential.derive(key(3));
        String value = credential.headerValue();

        assertThat(credential.matches(null)).isFalse();
        assertThat(credential.matches("")).isFalse();
        assertThat(credential.matches(value.substring(1))).isFalse();
        assertThat(credential.matches(value + "A")).isFalse();
        assertThat(credential.matches(value.toLowerCase())).isEqualTo(value.equals(value.toLowerCase()));
    }

    @Test
    void the_credential_is_not_a_token_of_the_same_key_nor_shown_by_to_string() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        ClusterCredential credential = ClusterCredential.derive(key);
        // a token is HMAC(key, "<sandbox>|<preview>|<token>|" + nonce): its message always holds '|'
        assertThat(ClusterCredential.LABEL).doesNotContain("|");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String index = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal("sandgate verification index".getBytes(StandardCharsets.US_ASCII)));

        assertThat(credential.headerValue()).isNotEqualTo(index);
        assertThat(credential.toString()).doesNotContain(credential.headerValue());
    }

    @Test
    void a_short_key_is_refused() {
        assertThatThrownBy(() -> ClusterCredential.derive(new byte[8])).isInstanceOf(IllegalArgumentException.class);
    }
}
