package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The request path as it came on the wire, split and decoded here rather than by the router: the SDK sends a
 * sandbox path as ONE percent-encoded segment ({@code /filesystem/%2Ftmp%2Fa.txt}) and sometimes unencoded after a
 * slash ({@code /filesystem//tmp/x.bin}); a router that decodes or collapses first would lose the difference.
 */
final class RawPath {
    private RawPath() {
    }

    /** The segments between slashes, still encoded; {@code "/a//b"} gives {@code ["a", "", "b"]}. */
    static List<String> segments(String raw) {
        List<String> out = new ArrayList<>();
        String s = raw.startsWith("/") ? raw.substring(1) : raw;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == '/') {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (out.size() == 1 && out.get(0).isEmpty()) {
            return List.of();
        }
        return out;
    }

    /**
     * The raw path after its first {@code count} non-empty segments, as the router counts them (it collapses
     * {@code //}), keeping every slash that follows: {@code after("/s/a/b//tmp/x", 3)} is {@code "//tmp/x"},
     * {@code after("/s/a/b", 3)} is {@code ""}.
     */
    static String after(String raw, int count) {
        int i = 0;
        int seen = 0;
        while (seen < count && i < raw.length()) {
            while (i < raw.length() && raw.charAt(i) == '/') {
                i++;
            }
            if (i == raw.length()) {
                break;
            }
            while (i < raw.length() && raw.charAt(i) != '/') {
                i++;
            }
            seen++;
        }
        return raw.substring(i);
    }

    /** The non-empty segment at {@code index} (from 0) of a raw path, still encoded; empty if there is none. */
    static String segment(String raw, int index) {
        int n = 0;
        for (String segment : segments(raw)) {
            if (!segment.isEmpty() && n++ == index) {
                return segment;
            }
        }
        return "";
    }

    /** How many non-empty segments {@code path} has ({@code "/w/sandboxes/sb/"} has 3). */
    static int count(String path) {
        int n = 0;
        for (String segment : segments(path)) {
            if (!segment.isEmpty()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Why a raw path cannot be routed, if it cannot: a malformed percent-escape, or a {@code .} or {@code ..}
     * segment (plain or escaped). The router removes dot segments before it matches, so a path with one would be
     * routed as another path than the one the handlers read; such a path is refused whole, before routing.
     */
    static java.util.Optional<String> unroutable(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '%' && (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                    || Character.digit(raw.charAt(i + 2), 16) < 0)) {
                return java.util.Optional.of(bad().getMessage());
            }
        }
        for (String segment : segments(raw)) {
            String dots = segment.replace("%2e", ".").replace("%2E", ".");
            if (dots.equals(".") || dots.equals("..")) {
                return java.util.Optional.of("the path must not contain '.' or '..' segments");
            }
        }
        return java.util.Optional.empty();
    }

    /** Strict percent-decoding as UTF-8 ({@code +} stays a plus); malformed escapes or UTF-8 give 400. */
    static String decode(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return encoded;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    throw bad();
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw bad();
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw bad();
        }
    }

    /**
     * The sandbox path of a {@code /filesystem} request from the raw remainder after {@code /filesystem}: one
     * leading slash dropped, the rest decoded, so both {@code /%2Ftmp%2Fa} and {@code //tmp/a} give {@code /tmp/a}.
     * A {@code ..} segment or a NUL is refused with 400: the broker does not guess what a climbing path meant.
     */
    static SandboxPath sandboxPath(String rawRemainder) {
        String rest = rawRemainder.startsWith("/") ? rawRemainder.substring(1) : rawRemainder;
        String decoded = decode(rest);
        for (String segment : decoded.split("[/\\\\]")) {
            if (segment.equals("..")) {
                throw new SandgateException.InvalidRequest("path must not contain '..' segments");
            }
        }
        if (decoded.indexOf('\0') >= 0) {
            throw new SandgateException.InvalidRequest("path must not contain a NUL character");
        }
        return SandboxPath.of(decoded.startsWith("/") ? decoded : "/" + decoded);
    }

    private static SandgateException.InvalidRequest bad() {
        return new SandgateException.InvalidRequest("the path has a malformed percent-encoding");
    }
}
