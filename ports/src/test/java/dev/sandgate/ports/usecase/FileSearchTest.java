package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fs.find} and {@code fs.grep} through the use case, on the port's composed default. */
class FileSearchTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway(clock);
    private Files files;

    @BeforeEach
    void tree() {
        files = Sandgate.create(gateway, clock).sandboxes().create(SandboxSpec.of(SandboxName.of("box"))).fs();
        files.write("/app/src/main.js", "import x from './util.js';\nconsole.log('Hello World');\n");
        files.write("/app/src/util.js", "export default 1;\n// hello again\n");
        files.write("/app/src/style.css", "body { color: red }\n");
        files.write("/app/node_modules/dep/index.js", "hello from a dependency\n");
        files.write("/app/.cache/hello.js", "hello hidden\n");
        files.writeBinary("/app/logo.bin", new byte[] {'h', 'e', 'l', 'l', 'o', 0, 1});
    }

    @AfterEach
    void close() {
        gateway.close();
    }

    private static List<String> paths(List<FindMatch> matches) {
        return matches.stream().map(m -> m.path().value()).toList();
    }

    @Test
    void find_walks_in_name_order_with_globs_types_and_exclusions() {
        var js = files.find("/app", new FindQuery(Optional.of("file"), List.of("*.js"), 100,
                List.of("node_modules"), true));
        var dirs = files.find("/app", new FindQuery(Optional.of("directory"), List.of(), 100,
                List.of(), false));

        assertThat(paths(js)).containsExactly("/app/src/main.js", "/app/src/util.js");
        // a directory's entries in name order, then what lies below them
        assertThat(paths(dirs)).containsExactly("/app/.cache", "/app/node_modules", "/app/src",
                "/app/node_modules/dep");
        assertThat(dirs).allMatch(FindMatch::directory);
    }

    @Test
    void find_stops_at_max_results() {
        var two = files.find("/app", new FindQuery(Optional.empty(), List.of(), 2, List.of(), false));

        assertThat(two).hasSize(2);
    }

    @Test
    void grep_finds_literal_text_case_insensitively_by_default_with_line_column_and_context() {
        var matches = files.grep("/app", new GrepQuery("hello", false, 1, 100, Optional.of("*.js"),
                List.of("node_modules", ".cache")));

        assertThat(matches).extracting(m -> m.path().value() + ":" + m.line() + ":" + m.column())
                .containsExactly("/app/src/main.js:2:14", "/app/src/util.js:2:4");
        assertThat(matches.get(0).text()).isEqualTo("console.log('Hello World');");
        assertThat(matches.get(0).context()).contains("import x from './util.js';\nconsole.log('Hello World');\n");
    }

    @Test
    void grep_skips_binary_files_honours_case_and_searches_a_single_file() {
        var sensitive = files.grep("/app", new GrepQuery("Hello", true, 0, 100, Optional.empty(),
                List.of()));
        var single = files.grep("/app/src/util.js", GrepQuery.of("again"));

        assertThat(sensitive).extracting(m -> m.path().value()).containsExactly("/app/src/main.js");
        assertThat(single).extracting(GrepMatch::line).containsExactly(2);
        assertThat(files.grep("/app", GrepQuery.of("hello"))).extracting(m -> m.path().value())
                .doesNotContain("/app/logo.bin");
    }

    @Test
    void bad_queries_are_refused_with_what_was_wrong() {
        assertThatThrownBy(() -> new FindQuery(Optional.of("socket"), List.of(), 10, List.of(), false))
                .hasMessageContaining("type");
        assertThatThrownBy(() -> new FindQuery(Optional.empty(), List.of("a/b"), 10, List.of(), false))
                .hasMessageContaining("pattern");
        assertThatThrownBy(() -> new FindQuery(Optional.empty(), List.of("[z"), 10, List.of(), false))
                .hasMessageContaining("pattern");
        assertThatThrownBy(() -> new FindQuery(Optional.empty(), List.of(), 0, List.of(), false))
                .hasMessageContaining("maxResults");
        assertThatThrownBy(() -> new GrepQuery("", false, 0, 10, Optional.empty(), List.of()))
                .hasMessageContaining("query");
        assertThatThrownBy(() -> new GrepQuery("x", false, 99, 10, Optional.empty(), List.of()))
                .hasMessageContaining("contextLines");
    }
}
