package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each setting is declared once, with a parser that accepts its own default and holds its range. */
class SettingTest {
    private static final Parser.Locations HERE = new Parser.Locations(Path.of("/home/u"), Path.of("/srv/dir"));

    static List<Setting<?>> settings() {
        return Setting.values();
    }

    @ParameterizedTest
    @MethodSource("settings")
    void every_default_is_accepted_by_the_setting_s_own_parser(Setting<?> setting) {
        Object parsed = setting.parser().parse(setting.defaultValue(), HERE);
        assertThat(parsed).as("%s's default", setting).isNotNull();
    }

    @Test
    void a_parser_says_its_range_in_words_and_refuses_what_lies_outside() {
        assertThat(Setting.IDLE_TIMEOUT.accepts()).isEqualTo("1s - 1h");
        assertThat(Setting.BODY_LIMIT.accepts()).isEqualTo("1KiB - 1GiB");
        assertThat(Setting.PORT.accepts()).isEqualTo("0-65535");
        assertThat(Setting.IDLE_TIMEOUT.parser().parse("90s", HERE)).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Setting.IDLE_TIMEOUT.parser().parse("2h", HERE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    }

    @Test
    void paths_are_resolved_against_home_and_the_working_directory() {
        assertThat(Setting.DATA_DIR.parser().parse("~/.sandgate", HERE)).isEqualTo(Path.of("/home/u/.sandgate"));
        assertThat(Setting.DATA_DIR.parser().parse("data", HERE)).isEqualTo(Path.of("/srv/dir/data"));
        assertThat(Setting.CONFIG.parser().parse("", HERE)).isEmpty();
    }

    @Test
    void the_reference_table_has_one_row_per_setting() {
        assertThat(Setting.referenceTable().lines().skip(2)).hasSize(Setting.values().size());
    }
}
