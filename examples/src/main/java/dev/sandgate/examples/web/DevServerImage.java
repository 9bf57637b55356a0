package dev.sandgate.examples.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The template image the example's sandbox is created from, {@code blaxel/prod-base:latest} as in the seed. The
 * local runtime starts a new sandbox's root as a copy of {@code <data-dir>/images/<image name mapped>}, where
 * {@code /} becomes {@code _} and {@code :} becomes {@code +}; this class puts the dev app into that directory, at
 * {@code /blaxel/app} and {@code /app}.
 *
 * <p>The dev app is a small Vite app ({@code examples/src/main/devapp}); the build copies it to
 * {@code examples/target/devapp} and installs its {@code node_modules} there with {@code npm ci} from the committed
 * lockfile. Nothing is downloaded at run time: the example copies that built directory, found beside the jar (or
 * the classes directory) it runs from, or where {@code EXAMPLE_DEV_APP} points.
 */
public final class DevServerImage {
    /** The image name the sandbox is created with, as in the seed. */
    public static final String IMAGE = "blaxel/prod-base:latest";
    /** {@link #IMAGE} as the local runtime maps it to a directory name. */
    static final String TEMPLATE_DIRECTORY = "blaxel_prod-base+latest";
    /** Where the dev server runs inside the sandbox; the same app is also at {@code /app}. */
    public static final String APP_DIR = "/blaxel/app";
    /** The template's copies of the app, relative to the sandbox root. */
    static final List<String> APP_COPIES = List.of("blaxel/app", "app");
    /** The directory name of the built app beside the jar. */
    static final String BUILT_APP_DIRECTORY = "devapp";
    /** The variable that points at the built app instead. */
    public static final String DEV_APP_VARIABLE = "EXAMPLE_DEV_APP";
    /** The file the app's greeting comes from; changing it shows through hot module replacement. */
    public static final String GREETING_FILE = "src/greeting.js";
    /** What the app's page says once its module ran (from {@link #GREETING_FILE}). */
    public static final String GREETING = "Hello from the Vite dev server";
    /** What the app's module writes once it has loaded from the root-absolute path {@code /src/main.js}. */
    public static final String MODULE_LOADED = "Loaded /src/main.js by its root-absolute path";
    /** What the app shows once a message went to the dev server and back over the HMR WebSocket. */
    public static final String HMR_CONNECTED = "hot reload: connected";

    private DevServerImage() {
    }

    /**
     * The built dev app: {@code EXAMPLE_DEV_APP} when set, else {@code devapp/} beside the jar or classes directory
     * this class was loaded from ({@code examples/target/devapp} for {@code examples/target/sandgate-example.jar}).
     *
     * @throws IllegalArgumentException when that directory holds no built app
     */
    public static Path builtApp(Map<String, String> env) {
        Objects.requireNonNull(env, "env must not be null");
        String configured = env.get(DEV_APP_VARIABLE);
        Path app = configured != null && !configured.isBlank()
                ? Path.of(configured.trim()) : besideCode(codeLocation());
        return checkedBuiltApp(app);
    }

    /** {@code devapp/} in the directory that holds {@code code} (a jar file or a classes directory). */
    static Path besideCode(Path code) {
        Path parent = code.toAbsolutePath().normalize().getParent();
        return (parent == null ? code : parent).resolve(BUILT_APP_DIRECTORY);
    }

    /** {@code app} if it holds the app with Vite installed; otherwise says how to get it. */
    static Path checkedBuiltApp(Path app) {
        if (!Files.isRegularFile(app.resolve("package.json"))
                || !Files.isRegularFile(app.resolve("node_modules/vite/package.json"))) {
            throw new IllegalArgumentException("the example's dev app is not built at " + app.toAbsolutePath()
                    + ": build it with 'mvn -pl examples -am package' (it runs 'npm ci' from the lockfile), or set "
                    + DEV_APP_VARIABLE + " to a directory holding the app and its node_modules");
        }
        return app;
    }

    /**
     * Writes the app into the template under {@code dataDir}, at {@code blaxel/app} and {@code app}, replacing what
     * an earlier start left there (nothing else of the template is touched). Returns the template directory.
     */
    public static Path install(Path dataDir, Path builtApp) {
        Path template = dataDir.resolve("images").resolve(TEMPLATE_DIRECTORY);
        Path source = checkedBuiltApp(builtApp);
        try {
            for (String copy : APP_COPIES) {
                Path target = template.resolve(copy);
                deleteTree(target);
                Files.createDirectories(target.getParent());
                copyTree(source, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the example image under " + template + ": " + e, e);
        }
        return template;
    }

    private static Path codeLocation() {
        try {
            return Path.of(DevServerImage.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the example runs from; set " + DEV_APP_VARIABLE, e);
        }
    }

    /** Copies a tree keeping modes and times; links are copied as links (node_modules/.bin), never followed. */
    private static void copyTree(Path from, Path to) throws IOException {
        Path source = from.toRealPath();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName().toString().equals(".vite") && !dir.equals(source)) {
                    return FileVisitResult.SKIP_SUBTREE; // a dev server's cache, should one have run in the build
                }
                Files.copy(dir, to.resolve(source.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a tree without following links; a missing tree is fine. */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
