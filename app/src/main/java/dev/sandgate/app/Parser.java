package dev.sandgate.app;

import dev.sandgate.adapter.local.limits.SandboxLimits;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one {@link Setting}'s text becomes its typed value, range included, and what it accepts in words (for
 * {@code --help} and the configuration reference). A bad value is an {@link IllegalArgumentException} saying why;
 * {@link SettingsLoader} adds the setting's name and where the value came from.
 */
final class Parser<T> {
    /** Where relative paths and {@code ~} lead. */
    record Locations(Path userHome, Path workingDir) {
        Path resolve(String value) {
            try {
                Path path;
                if (value.equals("~")) {
                    path = userHome;
                } else if (value.startsWith("~/")) {
                    path = userHome.resolve(value.substring(2));
                } else {
                    path = workingDir.resolve(value);
                }
                return path.normalize();
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("not a path: " + e.getReason());
            }
        }
    }

    @FunctionalInterface
    interface Parse<T> {
        T parse(String value, Locations where);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");
    private static final Pattern WORKSPACE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}");

    private final String accepts;
    private final Parse<T> parse;

    private Parser(String accepts, Parse<T> parse) {
        this.accepts = accepts;
        this.parse = parse;
    }

    /** What the setting accepts, in words: a range, a list of choices; empty when the description says it all. */
    String accepts() {
        return accepts;
    }

    T parse(String value, Locations where) {
        return parse.parse(value.trim(), where);
    }

    static <T> Parser<T> of(String accepts, Function<String, T> parse) {
        return new Parser<>(accepts, (v, where) -> parse.apply(v));
    }

    /** Empty for a blank value, else this parser's value. */
    Parser<Optional<T>> optional() {
        return new Parser<>(accepts, (v, where) -> v.isEmpty() ? Optional.empty() : Optional.of(parse.parse(v, where)));
    }

    /** Any text, checked where it is used; {@code accepts} says what it should be. */
    static Parser<String> text(String accepts) {
        return of(accepts, v -> v);
    }

    static Parser<Path> path() {
        return new Parser<>("a path; ~ is the home directory", (v, where) -> {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("give a path");
            }
            return where.resolve(v);
        });
    }

    static Parser<Boolean> switchValue() {
        return of("true, false", v -> {
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            throw new IllegalArgumentException("give true or false");
        });
    }

    static Parser<Integer> intIn(int min, int max) {
        return of(min + "-" + max, v -> {
            long parsed;
            try {
                parsed = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("out of range " + min + "-" + max);
            }
            return (int) parsed;
        });
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT30S}). */
    static Parser<Duration> durationIn(Duration min, Duration max) {
        return of(show(min) + " - " + show(max), v -> {
            Duration duration;
            Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                duration = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } else if (v.toUpperCase(Locale.ROOT).startsWith("PT")) {
                try {
                    duration = Duration.parse(v);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("not a duration: use 500ms, 30s, 5m, 1h or PT30S");
                }
            } else {
                throw new IllegalArgumentException("not a duration: use 500ms, 30s, 5m, 1h or PT30S");
            }
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                throw new IllegalArgumentException("out of range " + min + " - " + max);
            }
            return duration;
        });
    }

    /** Bytes, optionally with a binary unit: {@code 1048576}, {@code 1024KiB}, {@code 1m}, {@code 1MiB}. */
    static Parser<Long> sizeIn(long min, long max) {
        return of(show(min) + " - " + show(max), v -> size(v, min, max));
    }

    /** {@link #sizeIn} for sizes that fit an {@code int}. */
    static Parser<Integer> intSizeIn(int min, int max) {
        return of(show(min) + " - " + show(max), v -> (int) size(v, min, max));
    }

    /** A number of CPU cores ({@code 0.5}, {@code 2}); {@code 0} for no quota. */
    static Parser<OptionalDouble> cpus() {
        return of(SandboxLimits.MIN_CPUS + "-" + (int) SandboxLimits.MAX_CPUS + ", or 0", v -> {
            double parsed;
            try {
                parsed = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number of CPUs: give one such as 0.5 or 2, or 0 for no quota");
            }
            if (parsed == 0) {
                return OptionalDouble.empty();
            }
            if (!(parsed >= SandboxLimits.MIN_CPUS && parsed <= SandboxLimits.MAX_CPUS)) {
                throw new IllegalArgumentException("out of range " + SandboxLimits.MIN_CPUS + "-"
                        + (int) SandboxLimits.MAX_CPUS + " (or 0 for no quota)");
            }
            return OptionalDouble.of(parsed);
        });
    }

    /** A size of at least {@link SandboxLimits#MIN_DISK_QUOTA_BYTES}, or {@code 0} for no quota. */
    static Parser<Long> diskQuota() {
        long max = 1L << 50;
        return of(show(SandboxLimits.MIN_DISK_QUOTA_BYTES) + " - " + show(max) + ", or 0",
                v -> v.equals("0") ? 0 : size(v, SandboxLimits.MIN_DISK_QUOTA_BYTES, max));
    }

    /** An IP address or a host name. */
    static Parser<String> host() {
        return of("an IP address or a host name", v -> {
            if (!HOST.matcher(v).matches()) {
                throw new IllegalArgumentException("give an IP address or a host name");
            }
            return v;
        });
    }

    /** A lowercase host name (checked again, with the exact rule, by the broker). */
    static Parser<String> previewDomain() {
        return of("a host name", value -> {
            String v = value.toLowerCase(Locale.ROOT);
            if (!v.matches("[a-z0-9.-]{1,190}") || v.startsWith(".") || v.endsWith(".") || v.contains("..")) {
                throw new IllegalArgumentException("not a host name: give one such as localhost or "
                        + "preview.example.com, without scheme or port");
            }
            return v;
        });
    }

    /** A workspace name; {@code reserved} are the first path segments the broker keeps for itself. */
    static Parser<String> workspace(boolean reserved) {
        return of("1-63 of a-z, 0-9 and -" + (reserved ? "; not v0, s or p" : ""), v -> {
            if (!WORKSPACE.matcher(v).matches()) {
                throw new IllegalArgumentException("use 1-63 lowercase letters, digits or '-'"
                        + (reserved ? " (not 'v0', 's' or 'p')" : ""));
            }
            if (reserved && (v.equals("v0") || v.equals("s") || v.equals("p"))) {
                throw new IllegalArgumentException("use 1-63 lowercase letters, digits or '-' (not 'v0', 's' or 'p')");
            }
            return v;
        });
    }

    /** The broker's API key: 16-512 printable ASCII characters without spaces. */
    static Parser<String> apiKey() {
        return of("16-512 printable ASCII characters", v -> {
            if (v.length() < 16 || v.length() > 512 || !v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("give 16-512 printable ASCII characters without spaces");
            }
            return v;
        });
    }

    /** An absolute http(s) URL without user info, query or fragment, trailing slashes removed. */
    static Parser<URI> httpUrl() {
        return of("an http(s) URL", value -> {
            URI url;
            try {
                url = new URI(value.replaceAll("/+$", ""));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URL: " + e.getReason());
            }
            String scheme = url.getScheme();
            if (!url.isAbsolute() || url.getHost() == null
                    || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                    || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("give an absolute http(s) URL without user info, query or fragment");
            }
            return url;
        });
    }

    private static long size(String value, long min, long max) {
        Matcher m = SIZE.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: use bytes or a unit, e.g. 65536, 64KiB, 1MiB");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        if (amount > max / factor || amount * factor < min) {
            throw new IllegalArgumentException("out of range " + min + "-" + max + " bytes");
        }
        return amount * factor;
    }

    /** A size as the settings write it: {@code 16KiB}, {@code 1GiB}, {@code 1000}. */
    static String show(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        long[] factors = {1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= factors[i] && bytes % factors[i] == 0) {
                return bytes / factors[i] + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /** A duration as the settings write it: {@code 10ms}, {@code 1s}, {@code 10m}, {@code 7d}. */
    static String show(Duration d) {
        long ms = d.toMillis();
        long[] factors = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < factors.length; i++) {
            if (ms >= factors[i] && ms % factors[i] == 0) {
                return ms / factors[i] + units[i];
            }
        }
        return ms == 0 ? "0s" : ms + "ms";
    }
}
