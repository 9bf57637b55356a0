package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The configuration reference stays true: its table is exactly what {@link Setting}'s declarations generate, so every
 * setting the program reads is documented once, with its names, default and range, and nothing else is.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    static List<Setting<?>> settings() {
        return Setting.values();
    }

    @ParameterizedTest
    @MethodSource("settings")
    void every_setting_is_in_the_configuration_reference(Setting<?> setting) throws IOException {
        String doc = Files.readString(DOC);
        String expected = "| `" + setting.flag() + "` | `" + setting.env() + "` |";
        assertThat(doc).as("docs/configuration.md documents %s", setting).contains(expected);
    }

    @Test
    void the_reference_table_is_the_one_the_settings_generate() throws IOException {
        String doc = Files.readString(DOC);
        String table = Setting.referenceTable();
        int start = doc.indexOf("| flag |");
        assertThat(start).as("docs/configuration.md has a settings table").isNotNegative();
        int end = doc.indexOf("\n\n", start);
        assertThat(doc.substring(start, end + 1))
                .as("docs/configuration.md's table; regenerate it from Setting.referenceTable()")
                .isEqualTo(table);
    }

    @Test
    void no_two_settings_share_a_key_or_a_variable() {
        assertThat(Setting.values()).extracting(Setting::key).doesNotHaveDuplicates();
        assertThat(Setting.values()).extracting(Setting::env).doesNotHaveDuplicates();
    }
}
