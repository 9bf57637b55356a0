package dev.sandgate.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code fs.find} looks for below a path.
 *
 * @param type          {@code file}, {@code directory}, or empty for both
 * @param patterns      globs matched against entry names ({@code *.js}); empty matches every name
 * @param maxResults    1 to {@link #MAX_RESULTS}
 * @param excludeDirs   directory names not descended into ({@code node_modules})
 * @param excludeHidden whether names starting with {@code .} are skipped
 */
public record FindQuery(Optional<String> type, List<String> patterns, int maxResults, List<String> excludeDirs,
                        boolean excludeHidden) {
    /** The most matches one search returns. */
    public static final int MAX_RESULTS = 1_000;
    /** Matches returned when a query names no limit. */
    public static final int DEFAULT_RESULTS = 100;

    public FindQuery {
        Objects.requireNonNull(type, "type must not be null");
        type.ifPresent(t -> {
            if (!t.equals("file") && !t.equals("directory")) {
                throw new IllegalArgumentException("type '" + Names.printable(t) + "' is invalid: give file or "
                        + "directory");
            }
        });
        patterns = List.copyOf(patterns);
        patterns.forEach(Globs::require);
        requireResults(maxResults);
        excludeDirs = List.copyOf(excludeDirs);
    }

    /** Every entry, up to {@link #DEFAULT_RESULTS}. */
    public static FindQuery everything() {
        return new FindQuery(Optional.empty(), List.of(), DEFAULT_RESULTS, List.of(), false);
    }

    static void requireResults(int maxResults) {
        if (maxResults < 1 || maxResults > MAX_RESULTS) {
            throw new IllegalArgumentException("maxResults " + maxResults + " is out of range 1-" + MAX_RESULTS);
        }
    }
}
