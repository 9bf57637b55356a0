package dev.sandgate.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code fs.grep} looks for in the files below a path.
 *
 * @param query         literal text looked for on each line (1-1000 characters, one line)
 * @param caseSensitive whether letters must match in case
 * @param contextLines  lines around a match to return with it, 0 to {@link #MAX_CONTEXT_LINES}
 * @param maxResults    1 to {@link FindQuery#MAX_RESULTS}
 * @param filePattern   a glob the names of searched files must match
 * @param excludeDirs   directory names not descended into
 */
public record GrepQuery(String query, boolean caseSensitive, int contextLines, int maxResults,
                        Optional<String> filePattern, List<String> excludeDirs) {
    public static final int MAX_CONTEXT_LINES = 20;

    public GrepQuery {
        Objects.requireNonNull(query, "query must not be null");
        if (query.isEmpty() || query.length() > 1000 || query.indexOf('\n') >= 0 || query.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("query must be 1-1000 characters on one line");
        }
        if (contextLines < 0 || contextLines > MAX_CONTEXT_LINES) {
            throw new IllegalArgumentException("contextLines " + contextLines + " is out of range 0-"
                    + MAX_CONTEXT_LINES);
        }
        FindQuery.requireResults(maxResults);
        Objects.requireNonNull(filePattern, "filePattern must not be null").ifPresent(Globs::require);
        excludeDirs = List.copyOf(excludeDirs);
    }

    /** {@code query}, ignoring case, without context, up to {@link FindQuery#DEFAULT_RESULTS} matches. */
    public static GrepQuery of(String query) {
        return new GrepQuery(query, false, 0, FindQuery.DEFAULT_RESULTS, Optional.empty(), List.of());
    }
}
