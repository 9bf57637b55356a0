package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The configuration reference stays true: every setting the program reads is documented with its names. */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @ParameterizedTest
    @EnumSource(Setting.class)
    void every_setting_is_in_the_configuration_reference(Setting setting) throws IOException {
        String doc = Files.readString(DOC);
        String expected = "| `" + setting.flag() + "` | `" + setting.env() + "` |";
        assertThat(doc).as("docs/configuration.md documents %s", setting).contains(expected);
    }
}
