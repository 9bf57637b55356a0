package dev.sandgate.ports;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.Globs;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import java.nio.charset.StandardCharsets;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The composed forms of {@link FileOperations#find} and {@link FileOperations#grep}: a walk of the tree below a path
 * (a directory's entries in name order, then the directories below them, depth first) through the port's own
 * {@code listDirectory}, skipping the directories named in {@code excludeDirs} and, when asked, hidden entries
 * (names starting with {@code .}). Bounded: at most {@link #MAX_VISITED} entries are looked at; {@code grep} reads
 * files of at most {@link #MAX_GREP_FILE_BYTES} and skips those holding a NUL byte (binary), and matches its query as
 * literal text, line by line. Entries that vanish or lead outside the sandbox meanwhile are passed over.
 */
final class FileWalk {
    /** The most entries one search looks at. */
    static final int MAX_VISITED = 20_000;
    /** Larger files are not searched by {@code grep}. */
    static final int MAX_GREP_FILE_BYTES = 1024 * 1024;

    private FileWalk() {
    }

    /** Entries below {@code root} (not {@code root} itself) matching the query, in walk order. */
    static List<FindMatch> find(FileOperations files, SandboxPath root, FindQuery query) {
        List<PathMatcher> globs = query.patterns().stream().map(Globs::require).toList();
        if (!files.stat(root).directory()) {
            throw new SandgateException.InvalidRequest(root + " is not a directory");
        }
        List<FindMatch> matches = new ArrayList<>();
        walk(files, root, query.excludeDirs(), query.excludeHidden(), entry -> {
            boolean typeOk = query.type().map(t -> t.equals("directory") == entry.directory()).orElse(true);
            if (typeOk && (globs.isEmpty() || globs.stream().anyMatch(g -> Globs.matches(g, name(entry))))) {
                matches.add(new FindMatch(entry.path(), entry.directory()));
            }
            return matches.size() < query.maxResults();
        });
        return List.copyOf(matches);
    }

    /** Lines of the text files below {@code root} (or {@code root} itself, if a file) that hold the query. */
    static List<GrepMatch> grep(FileOperations files, SandboxPath root, GrepQuery query) {
        Optional<PathMatcher> glob = query.filePattern().map(Globs::require);
        String needle = query.caseSensitive() ? query.query() : query.query().toLowerCase(Locale.ROOT);
        List<GrepMatch> matches = new ArrayList<>();
        FileEntry start = files.stat(root);
        if (!start.directory()) {
            grepFile(files, start, needle, query, matches);
            return List.copyOf(matches);
        }
        walk(files, root, query.excludeDirs(), false, entry -> {
            if (!entry.directory() && glob.map(g -> Globs.matches(g, name(entry))).orElse(true)) {
                grepFile(files, entry, needle, query, matches);
            }
            return matches.size() < query.maxResults();
        });
        return List.copyOf(matches);
    }

    private static void grepFile(FileOperations files, FileEntry entry, String needle, GrepQuery query,
                                 List<GrepMatch> matches) {
        if (entry.size() > MAX_GREP_FILE_BYTES) {
            return;
        }
        FileContent content;
        try {
            content = files.readFile(entry.path());
        } catch (SandgateException.NotFound | SandgateException.InvalidRequest gone) {
            return; // removed meanwhile, or not a regular file after all
        }
        byte[] bytes = content.bytes();
        for (byte b : bytes) {
            if (b == 0) {
                return; // binary
            }
        }
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1);
        for (int i = 0; i < lines.length && matches.size() < query.maxResults(); i++) {
            String line = lines[i];
            int at = (query.caseSensitive() ? line : line.toLowerCase(Locale.ROOT)).indexOf(needle);
            if (at < 0) {
                continue;
            }
            Optional<String> context = Optional.empty();
            if (query.contextLines() > 0) {
                int from = Math.max(0, i - query.contextLines());
                int to = Math.min(lines.length, i + query.contextLines() + 1);
                context = Optional.of(String.join("\n", java.util.Arrays.asList(lines).subList(from, to)));
            }
            matches.add(new GrepMatch(entry.path(), i + 1, at + 1, line, context));
        }
    }

    private interface Visitor {
        /** False to stop the walk. */
        boolean visit(FileEntry entry);
    }

    private static void walk(FileOperations files, SandboxPath root, List<String> excludeDirs, boolean excludeHidden,
                             Visitor visitor) {
        Deque<SandboxPath> pending = new ArrayDeque<>();
        pending.push(root);
        int visited = 0;
        while (!pending.isEmpty()) {
            DirectoryListing listing;
            try {
                listing = files.listDirectory(pending.pop());
            } catch (SandgateException.NotFound | SandgateException.InvalidRequest gone) {
                continue; // removed meanwhile, or a link that leads outside: not followed
            }
            List<FileEntry> entries = new ArrayList<>(listing.files());
            entries.addAll(listing.subdirectories());
            entries.sort(Comparator.comparing(e -> e.path().value()));
            List<SandboxPath> below = new ArrayList<>();
            for (FileEntry entry : entries) {
                if (++visited > MAX_VISITED) {
                    return;
                }
                String name = name(entry);
                if (excludeHidden && name.startsWith(".")) {
                    continue;
                }
                if (entry.directory() && excludeDirs.contains(name)) {
                    continue;
                }
                if (!visitor.visit(entry)) {
                    return;
                }
                if (entry.directory()) {
                    below.add(entry.path());
                }
            }
            for (int i = below.size() - 1; i >= 0; i--) {
                pending.push(below.get(i));
            }
        }
    }

    private static String name(FileEntry entry) {
        return entry.path().fileName().orElse("/");
    }
}
