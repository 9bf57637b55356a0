package dev.sandgate.examples.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The template image the example's sandbox is created from. The local runtime starts a new sandbox's root as a copy
 * of {@code <data-dir>/images/<image name mapped>}, where {@code /} becomes {@code _} and {@code :} becomes
 * {@code +}; this class writes that directory with the page the dev server shows.
 */
public final class DevServerImage {
    /** The image name the sandbox is created with. */
    public static final String IMAGE = "sandgate/example-dev-server:latest";
    /** {@link #IMAGE} as the local runtime maps it to a directory name. */
    static final String TEMPLATE_DIRECTORY = "sandgate_example-dev-server+latest";
    /** What the dev server's page says; the browser test looks for it in the preview. */
    public static final String GREETING = "Hello from the Sandgate dev server";
    /**
     * What the page's script writes once it has loaded from the root-absolute path {@code /assets/app.js}, as the
     * pages of Vite or Next.js dev servers load theirs: it shows only when the preview has an origin of its own.
     */
    public static final String ROOT_ASSET_LOADED = "Loaded /assets/app.js by its root-absolute path";

    private DevServerImage() {
    }

    /**
     * Writes (or rewrites) the template under {@code dataDir}: {@code index.html} at the sandbox root and the script
     * {@code assets/app.js} it loads, served by {@code python3 -m http.server} started in {@code /}. Returns the
     * template directory.
     */
    public static Path install(Path dataDir) {
        Path dir = dataDir.resolve("images").resolve(TEMPLATE_DIRECTORY);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("index.html"), page(GREETING), StandardCharsets.UTF_8);
            Files.createDirectories(dir.resolve("assets"));
            Files.writeString(dir.resolve("assets/app.js"), "document.getElementById('root-asset').textContent = '"
                    + ROOT_ASSET_LOADED + "';\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the example image under " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** A minimal page with one heading and a script loaded by a root-absolute path. */
    public static String page(String heading) {
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>Dev server</title>
                <style>body{font-family:system-ui,sans-serif;display:grid;place-items:center;height:90vh;\
                margin:0;background:#f6f8fa;color:#1f2328}h1{font-weight:600}</style></head>
                <body><h1 id="greeting">%s</h1><p id="root-asset">waiting for its script</p>
                <script src="/assets/app.js"></script></body>
                </html>
                """.formatted(heading);
    }
}
