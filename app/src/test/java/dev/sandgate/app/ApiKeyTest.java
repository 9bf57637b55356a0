package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyTest {
    @TempDir
    Path dir;

    private final SecureRandom random = new SecureRandom();

    @Test
    void first_start_generates_a_key_into_an_owner_only_file() throws IOException {
        Path dataDir = dir.resolve("data");

        ApiKey key = ApiKey.resolve(Optional.empty(), dataDir, random);

        Path file = dataDir.resolve("api-key");
        assertThat(key.generated()).isTrue();
        assertThat(key.file()).contains(file);
        assertThat(key.value()).matches("[A-Za-z0-9_-]{43}");
        assertThat(Files.readString(file).trim()).isEqualTo(key.value());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
    }

    @Test
    void a_restart_reuses_the_stored_key() {
        ApiKey first = ApiKey.resolve(Optional.empty(), dir, random);

        ApiKey second = ApiKey.resolve(Optional.empty(), dir, random);

        assertThat(second.value()).isEqualTo(first.value());
        assertThat(second.generated()).isFalse();
        assertThat(second.file()).isEqualTo(first.file());
    }

    @Test
    void a_configured_key_wins_and_no_file_is_written() {
        ApiKey key = ApiKey.resolve(Optional.of("configured-key-0123456789"), dir, random);

        assertThat(key.value()).isEqualTo("configured-key-0123456789");
        assertThat(key.file()).isEmpty();
        assertThat(dir.resolve("api-key")).doesNotExist();
    }

    @Test
    void a_key_file_others_can_read_is_refused() throws IOException {
        Path file = dir.resolve("api-key");
        Files.writeString(file, "a-stored-key-0123456789\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> ApiKey.resolve(Optional.empty(), dir, random))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("is readable by others")
                .hasMessageContaining("chmod 600")
                .hasMessageNotContaining("a-stored-key");
    }

    @Test
    void an_empty_key_file_is_refused() throws IOException {
        Path file = dir.resolve("api-key");
        Files.writeString(file, "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> ApiKey.resolve(Optional.empty(), dir, random))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("does not hold a valid key");
    }

    @Test
    void generated_keys_differ_and_never_show_in_the_text() {
        ApiKey key = ApiKey.resolve(Optional.empty(), dir, random);

        assertThat(ApiKey.generate(random)).isNotEqualTo(ApiKey.generate(random));
        assertThat(key.toString()).doesNotContain(key.value());
    }
}
