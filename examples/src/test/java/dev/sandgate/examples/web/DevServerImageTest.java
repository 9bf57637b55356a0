package dev.sandgate.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevServerImageTest {
    @TempDir
    Path dir;

    @Test
    void the_built_app_is_looked_for_beside_the_jar_or_the_classes_directory() {
        assertThat(DevServerImage.besideCode(Path.of("/opt/example/target/sandgate-example.jar")))
                .isEqualTo(Path.of("/opt/example/target/devapp"));
        assertThat(DevServerImage.besideCode(Path.of("/opt/example/target/classes")))
                .isEqualTo(Path.of("/opt/example/target/devapp"));
    }

    @Test
    void a_missing_build_is_refused_with_how_to_build_it() {
        assertThatThrownBy(() -> DevServerImage.builtApp(Map.of("EXAMPLE_DEV_APP", dir.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not built at " + dir.toAbsolutePath())
                .hasMessageContaining("mvn -pl examples -am package")
                .hasMessageContaining("EXAMPLE_DEV_APP");
    }

    @Test
    void install_puts_the_app_at_blaxel_app_and_app_replacing_an_old_copy_and_keeping_the_rest() throws IOException {
        Path built = builtApp(dir.resolve("built"));
        Path template = dir.resolve("data/images/blaxel_prod-base+latest");
        Files.createDirectories(template.resolve("app/stale"));
        Files.writeString(template.resolve("app/stale/left-over.txt"), "old");
        Files.createDirectories(template.resolve("etc"));
        Files.writeString(template.resolve("etc/kept.conf"), "mine");

        assertThat(DevServerImage.install(dir.resolve("data"), built)).isEqualTo(template);

        for (String app : new String[] {"blaxel/app", "app"}) {
            Path copy = template.resolve(app);
            assertThat(copy.resolve("src/greeting.js")).content().isEqualTo("export const greeting = 'hi';\n");
            assertThat(copy.resolve("node_modules/vite/package.json")).isRegularFile();
            assertThat(copy.resolve("node_modules/.bin/vite")).isSymbolicLink();
            assertThat(Files.readSymbolicLink(copy.resolve("node_modules/.bin/vite")))
                    .isEqualTo(Path.of("../vite/bin/vite.js"));
            assertThat(copy.resolve("node_modules/.vite")).doesNotExist();
        }
        assertThat(template.resolve("app/stale")).doesNotExist();
        assertThat(template.resolve("etc/kept.conf")).content().isEqualTo("mine");
    }

    private static Path builtApp(Path app) throws IOException {
        Files.createDirectories(app.resolve("src"));
        Files.createDirectories(app.resolve("node_modules/vite/bin"));
        Files.createDirectories(app.resolve("node_modules/.bin"));
        Files.createDirectories(app.resolve("node_modules/.vite/deps"));
        Files.writeString(app.resolve("package.json"), "{}");
        Files.writeString(app.resolve("src/greeting.js"), "export const greeting = 'hi';\n");
        Files.writeString(app.resolve("node_modules/vite/package.json"), "{}");
        Files.writeString(app.resolve("node_modules/vite/bin/vite.js"), "");
        Files.writeString(app.resolve("node_modules/.vite/deps/_metadata.json"), "{}");
        Files.createSymbolicLink(app.resolve("node_modules/.bin/vite"), Path.of("../vite/bin/vite.js"));
        return app;
    }
}
