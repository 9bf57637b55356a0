package dev.sandgate.domain;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;

/** Globs matched against file names ({@code *.js}, {@code *.{ts,tsx}}), as the search queries take them. */
public final class Globs {
    private Globs() {
    }

    /** The matcher of a name glob: 1-200 characters, no {@code /}; {@code IllegalArgumentException} otherwise. */
    public static PathMatcher require(String glob) {
        if (glob.isEmpty() || glob.length() > 200 || glob.indexOf('/') >= 0 || glob.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("pattern '" + Names.printable(glob) + "' is invalid: give a glob of "
                    + "1-200 characters for names, such as *.js");
        }
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pattern '" + Names.printable(glob) + "' is invalid: " + e.getMessage());
        }
    }

    /** Whether {@code name} (one path segment) matches. */
    public static boolean matches(PathMatcher glob, String name) {
        return glob.matches(Path.of(name));
    }
}
