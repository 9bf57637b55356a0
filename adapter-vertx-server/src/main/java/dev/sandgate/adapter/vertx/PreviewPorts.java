package dev.sandgate.adapter.vertx;

import java.util.Locale;

/**
 * Where application previews are served. {@link #path()}: under the broker's own origin at
 * {@code /p/{sandbox}/{preview}}. Otherwise each application preview gets an origin of its own: a listening port on
 * the broker's host, any free one ({@link #auto()}) or one of a range ({@link #range(int, int)}), so that an
 * application that uses root-absolute paths ({@code /@vite/client}, {@code /_next/…}) works in a browser.
 *
 * @param own   whether application previews get ports of their own
 * @param first the first port of the range, or 0 for any free port
 * @param last  the last port of the range, or 0 for any free port
 */
public record PreviewPorts(boolean own, int first, int last) {
    public PreviewPorts {
        if (!own && (first != 0 || last != 0)) {
            throw new IllegalArgumentException("a path-form preview setting has no port range");
        }
        if (first < 0 || last > 65535 || first > last || (first == 0) != (last == 0)) {
            throw new IllegalArgumentException("preview port range " + first + "-" + last + " is invalid: give "
                    + "1-65535 with the first port not above the last");
        }
    }

    /** Application previews under the broker's origin, at {@code /p/{sandbox}/{preview}}. */
    public static PreviewPorts path() {
        return new PreviewPorts(false, 0, 0);
    }

    /** Each application preview on a free port of the broker's host chosen by the system. */
    public static PreviewPorts auto() {
        return new PreviewPorts(true, 0, 0);
    }

    /** Each application preview on a free port of {@code first..last}. */
    public static PreviewPorts range(int first, int last) {
        if (first == 0 || last == 0) {
            throw new IllegalArgumentException("preview port range " + first + "-" + last + " is invalid: give "
                    + "1-65535 with the first port not above the last");
        }
        return new PreviewPorts(true, first, last);
    }

    /** {@code path}, {@code auto} or {@code first-last}. */
    public static PreviewPorts parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("path")) {
            return path();
        }
        if (v.equals("auto")) {
            return auto();
        }
        if (v.matches("\\d{1,5}-\\d{1,5}")) {
            String[] parts = v.split("-");
            return range(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }
        throw new IllegalArgumentException("preview ports '" + value + "' is invalid: give 'path', 'auto' or a "
                + "range such as 20000-20999");
    }

    @Override
    public String toString() {
        return !own ? "path" : first == 0 ? "auto" : first + "-" + last;
    }
}
