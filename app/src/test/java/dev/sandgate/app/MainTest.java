package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<SandgateApp> started = new ArrayList<>();

    @AfterEach
    void closeStarted() {
        started.forEach(SandgateApp::close);
    }

    private Main.Launch launch(List<String> args, Map<String, String> env) {
        Main.Launch launch = Main.launch(args, env, SettingsLoader.create(dir, dir),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                started::add);
        launch.app().ifPresent(app -> {
            if (!started.contains(app)) {
                started.add(app);
            }
        });
        return launch;
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void port_0_prints_the_listening_line_with_the_real_port() {
        Main.Launch launch = launch(List.of("--data-dir=data", "--isolation=none"), Map.of("SANDGATE_PORT", "0"));

        assertThat(launch.status()).isZero();
        assertThat(launch.app()).isPresent();
        assertThat(out().lines()).hasSize(1);
        Matcher m = LISTENING.matcher(out().strip());
        assertThat(m.matches()).as("listening line: %s", out()).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(port).isPositive().isEqualTo(launch.app().get().port());
    }

    @Test
    void the_start_hook_runs_before_the_listening_line() {
        List<String> seen = new ArrayList<>();
        Main.Launch launch = Main.launch(List.of("--port=0", "--data-dir=data", "--isolation=none"), Map.of(),
                SettingsLoader.create(dir, dir), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), app -> seen.add(out()));
        launch.app().ifPresent(started::add);

        assertThat(seen).containsExactly("");
        assertThat(out()).startsWith("listening on ");
    }

    @Test
    void a_bad_port_exits_2_with_a_message_and_starts_nothing() {
        Main.Launch launch = launch(List.of("--port=99999"), Map.of());

        assertThat(launch.status()).isEqualTo(2);
        assertThat(launch.app()).isEmpty();
        assertThat(err()).isEqualTo("sandgate: invalid port '99999' (from --port): out of range 0-65535"
                + System.lineSeparator());
        assertThat(out()).isEmpty();
    }

    @Test
    void an_unknown_flag_exits_2() {
        Main.Launch launch = launch(List.of("--verbose=true"), Map.of());

        assertThat(launch.status()).isEqualTo(2);
        assertThat(err()).contains("unknown flag '--verbose'");
    }

    @Test
    void a_bad_variable_exits_2() {
        Main.Launch launch = launch(List.of(), Map.of("SANDGATE_ISOLATION", "docker"));

        assertThat(launch.status()).isEqualTo(2);
        assertThat(err()).contains("(from SANDGATE_ISOLATION)");
    }

    @Test
    void the_remote_gateway_without_an_upstream_url_exits_2_and_starts_nothing() {
        Main.Launch launch = launch(List.of("--gateway=remote", "--port=0", "--data-dir=data"),
                Map.of("SANDGATE_UPSTREAM_API_KEY", "upstream-key-0123456789abcdef"));

        assertThat(launch.status()).isEqualTo(2);
        assertThat(launch.app()).isEmpty();
        assertThat(err()).startsWith("sandgate: the remote gateway needs the upstream's control-plane URL")
                .doesNotContain("upstream-key-0123456789abcdef");
        assertThat(out()).isEmpty();
    }

    @Test
    void the_remote_gateway_with_a_url_that_is_not_http_exits_2() {
        Main.Launch launch = launch(List.of("--gateway=remote", "--upstream-url=file:///etc/passwd"),
                Map.of("SANDGATE_UPSTREAM_API_KEY", "upstream-key-0123456789abcdef"));

        assertThat(launch.status()).isEqualTo(2);
        assertThat(err()).contains("invalid upstream-url 'file:///etc/passwd' (from --upstream-url)");
    }

    @Test
    void the_remote_gateway_without_an_upstream_key_exits_2() {
        Main.Launch launch = launch(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0"), Map.of());

        assertThat(launch.status()).isEqualTo(2);
        assertThat(err()).contains("the remote gateway needs the upstream's API key");
    }

    @Test
    void help_prints_the_usage_and_exits_0() {
        Main.Launch launch = launch(List.of("--help"), Map.of());

        assertThat(launch.status()).isZero();
        assertThat(launch.app()).isEmpty();
        assertThat(out()).contains("Usage: java -jar sandgate.jar", "--port=...", "SANDGATE_PORT", "--data-dir=...");
    }

    @Test
    void a_port_in_use_exits_1_with_a_message() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Main.Launch launch = launch(List.of("--port=" + taken.getLocalPort(), "--data-dir=data",
                    "--isolation=none"), Map.of());

            assertThat(launch.status()).isEqualTo(1);
            assertThat(launch.app()).isEmpty();
            assertThat(err()).startsWith("sandgate: cannot start");
            assertThat(out()).isEmpty();
        }
    }
}
