package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.SandboxPath;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code fs.find} ({@code GET /filesystem-find/<path>?type=&patterns=&maxResults=&excludeDirs=&excludeHidden=}) and
 * {@code fs.grep} ({@code GET /filesystem-content-search/<path>?query=&caseSensitive=&contextLines=&maxResults=
 * &filePattern=&excludeDirs=}), answered as the sandbox API does ({@code {matches, total}}, plus {@code query} for
 * grep) by the data plane's {@code find} and {@code grep}. Bad parameters are a 400. Mounted by {@link BrokerRoutes}.
 */
final class SearchRoutes {
    private final SandboxCalls calls;

    SearchRoutes(SandboxCalls calls) {
        this.calls = calls;
    }

    void find(RoutingContext ctx) {
        SandboxPath path = RawPath.sandboxPath(FileRoutes.rawTail(ctx, 1));
        HttpServerRequest request = ctx.request();
        FindQuery query;
        try {
            query = new FindQuery(Optional.ofNullable(request.getParam("type")).filter(t -> !t.isEmpty()),
                    commaList(request.getParam("patterns")), maxResults(request), commaList(request.getParam("excludeDirs")),
                    "true".equalsIgnoreCase(request.getParam("excludeHidden")));
        } catch (IllegalArgumentException e) {
            throw WireJson.invalid(e.getMessage());
        }
        calls.answer(ctx, dp -> FileWire.find(dp.find(path, query)));
    }

    void grep(RoutingContext ctx) {
        SandboxPath path = RawPath.sandboxPath(FileRoutes.rawTail(ctx, 1));
        HttpServerRequest request = ctx.request();
        String text = request.getParam("query");
        GrepQuery query;
        try {
            query = new GrepQuery(text == null ? "" : text, "true".equalsIgnoreCase(request.getParam("caseSensitive")),
                    intParam(request.getParam("contextLines"), "contextLines", 0), maxResults(request),
                    Optional.ofNullable(request.getParam("filePattern")).filter(p -> !p.isEmpty()),
                    commaList(request.getParam("excludeDirs")));
        } catch (IllegalArgumentException e) {
            throw WireJson.invalid(e.getMessage());
        }
        calls.answer(ctx, dp -> FileWire.grep(dp.grep(path, query), query.query()));
    }

    private static int maxResults(HttpServerRequest request) {
        return intParam(request.getParam("maxResults"), "maxResults", FindQuery.DEFAULT_RESULTS);
    }

    /** A comma-separated query parameter, trimmed, without empty entries. */
    static List<String> commaList(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static int intParam(String value, String name, int fallback) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        if (!value.matches("\\d{1,9}")) {
            throw WireJson.invalid(name + " must be a number, not '" + (value.length() > 20 ? value.substring(0, 20)
                    : value) + "'");
        }
        return Integer.parseInt(value);
    }
}
