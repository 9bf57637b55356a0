package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpHeadersTest {
    private static HttpHeaders one(String name, String value) {
        return HttpHeaders.of(Map.of(name, value));
    }

    @Test
    void cors_headers_are_accepted() {
        HttpHeaders headers = HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example",
                "Access-Control-Allow-Headers", "X-Blaxel-Preview-Token, Content-Type"));

        assertThat(headers.values()).hasSize(2);
    }

    @Test
    void carriage_return_in_a_value_is_refused_naming_the_header() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X-Evil", "a\rSet-Cookie: x"))
                .withMessageContaining("'X-Evil'")
                .withMessageContaining("CR, LF or NUL");
    }

    @Test
    void line_feed_in_a_value_is_refused_naming_the_header() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X-Evil", "a\nb"))
                .withMessageContaining("'X-Evil'");
    }

    @Test
    void nul_in_a_value_is_refused_naming_the_header() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X-Evil", "a\0b"))
                .withMessageContaining("'X-Evil'");
    }

    @Test
    void space_in_a_name_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X Bad", "v"))
                .withMessageContaining("header name 'X Bad'");
    }

    @Test
    void colon_in_a_name_is_refused_and_named() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X-Bad:", "v"))
                .withMessageContaining("header name 'X-Bad:'");
    }

    @Test
    void empty_name_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("", "v"))
                .withMessageContaining("header name ''");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"Content-Length", "transfer-encoding", "CONNECTION", "Host", "Keep-Alive", "Upgrade",
            "TE", "Trailer", "Proxy-Connection", "Set-Cookie"})
    void framing_connection_and_cookie_headers_are_refused_in_any_case(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> one(name, "x"))
                .withMessageContaining("header '" + name + "' may not be configured");
    }

    @Test
    void the_same_name_twice_ignoring_case_is_refused() {
        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("X-Frame-Options", "DENY");
        twice.put("x-frame-options", "SAMEORIGIN");

        assertThatIllegalArgumentException().isThrownBy(() -> HttpHeaders.of(twice))
                .withMessageContaining("'x-frame-options' is given twice");
    }

    @Test
    void sixty_four_headers_are_accepted() {
        assertThat(HttpHeaders.of(numbered(64)).values()).hasSize(64);
    }

    @Test
    void sixty_five_headers_are_refused_with_the_count() {
        assertThatIllegalArgumentException().isThrownBy(() -> HttpHeaders.of(numbered(65)))
                .withMessageContaining("too many headers: 65");
    }

    @Test
    void value_of_8192_characters_is_accepted() {
        assertThat(one("X-Long", "v".repeat(8192)).get("X-Long")).get().asString().hasSize(8192);
    }

    @Test
    void value_of_8193_characters_is_refused_naming_the_header() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X-Long", "v".repeat(8193)))
                .withMessageContaining("'X-Long' is longer than 8192");
    }

    @Test
    void name_of_257_characters_is_refused() {
        assertThatIllegalArgumentException().isThrownBy(() -> one("X".repeat(257), "v"))
                .withMessageContaining("header name 'XXX");
    }

    @Test
    void null_value_is_refused_naming_the_header() {
        Map<String, String> map = new HashMap<>();
        map.put("X-Null", null);

        assertThatNullPointerException().isThrownBy(() -> HttpHeaders.of(map))
                .withMessage("value of header X-Null must not be null");
    }

    @Test
    void lookup_ignores_case() {
        assertThat(one("Access-Control-Allow-Origin", "*").get("access-control-allow-origin")).contains("*");
    }

    @Test
    void lookup_of_an_absent_header_is_empty() {
        assertThat(HttpHeaders.NONE.get("X-Anything")).isEmpty();
    }

    @Test
    void values_are_copied_so_later_changes_to_the_source_do_not_leak_in() {
        Map<String, String> source = new HashMap<>(Map.of("X-A", "1"));
        HttpHeaders headers = HttpHeaders.of(source);

        source.put("X-B", "2");

        assertThat(headers.values()).containsOnlyKeys("X-A");
    }

    @Test
    void over_defaults_our_value_wins_ignoring_case_and_keeps_the_defaults_spelling() {
        HttpHeaders ours = one("access-control-allow-origin", "https://app.example");
        Map<String, String> defaults = Map.of("Access-Control-Allow-Origin", "*");

        assertThat(ours.over(defaults)).containsExactly(entry("Access-Control-Allow-Origin", "https://app.example"));
    }

    @Test
    void over_defaults_keeps_defaults_we_do_not_set() {
        HttpHeaders ours = one("X-Ours", "1");
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("Vary", "Origin");
        defaults.put("Access-Control-Allow-Methods", "GET");

        assertThat(ours.over(defaults)).containsExactly(entry("Vary", "Origin"),
                entry("Access-Control-Allow-Methods", "GET"), entry("X-Ours", "1"));
    }

    @Test
    void none_over_defaults_is_the_defaults() {
        assertThat(HttpHeaders.NONE.over(Map.of("Vary", "Origin"))).containsExactly(entry("Vary", "Origin"));
    }

    private static Map<String, String> numbered(int count) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < count; i++) {
            map.put("X-Header-" + i, "v");
        }
        return map;
    }
}
