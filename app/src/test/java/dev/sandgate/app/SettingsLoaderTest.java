package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.NetworkMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    private static final String UPSTREAM_KEY = "upstream-key-0123456789abcdef";

    @TempDir
    Path home;

    private SettingsLoader loader() {
        return SettingsLoader.create(home, home.resolve("work"));
    }

    private AppSettings load(List<String> args, Map<String, String> env) {
        Invocation invocation = loader().load(args, env);
        assertThat(invocation).isInstanceOf(Invocation.Run.class);
        return ((Invocation.Run) invocation).settings();
    }

    private Path configFile(String content) throws IOException {
        Path file = home.resolve("sandgate.properties");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void defaults_listen_on_loopback_8080_with_local_sandboxes_under_the_home_directory() {
        AppSettings s = load(List.of(), Map.of());

        assertThat(s.gateway()).isEqualTo(GatewayKind.LOCAL);
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.dataDir()).isEqualTo(home.resolve(".sandgate"));
        assertThat(s.apiKey()).isEmpty();
        assertThat(s.workspace()).isEqualTo("default");
        assertThat(s.isolation()).isEqualTo(IsolationMode.AUTO);
        assertThat(s.publicUrl()).isEmpty();
        assertThat(s.configFile()).isEmpty();
        assertThat(s.broker().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.broker().bodyLimitBytes()).isEqualTo(1024 * 1024);
        assertThat(s.maxFileBytes()).isEqualTo(5 * 1024 * 1024);
        assertThat(s.processes().stopGracePeriod()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void app_settings_defaults_are_the_loader_defaults_over_a_given_data_dir() {
        AppSettings defaults = AppSettings.defaults(home.resolve("d"));

        assertThat(defaults).isEqualTo(load(List.of("--data-dir=" + home.resolve("d")), Map.of()));
        assertThat(defaults.toBuilder().isolation(IsolationMode.NONE).build().isolation()).isEqualTo(IsolationMode.NONE);
        assertThat(defaults.toBuilder().workspace("acme").build().workspace()).isEqualTo("acme");
    }

    @Test
    void a_flag_wins_over_the_environment_which_wins_over_the_file_which_wins_over_the_default() throws IOException {
        Path file = configFile("port=1001\nworkspace=from-file\nhost=10.0.0.3\nidle-timeout=5m\n");
        Map<String, String> env = Map.of("SANDGATE_CONFIG", file.toString(), "SANDGATE_PORT", "1002",
                "SANDGATE_WORKSPACE", "from-env");

        AppSettings s = load(List.of("--port=1003"), env);

        assertThat(s.port()).isEqualTo(1003);
        assertThat(s.workspace()).isEqualTo("from-env");
        assertThat(s.host()).isEqualTo("10.0.0.3");
        assertThat(s.broker().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.isolation()).isEqualTo(IsolationMode.AUTO);
        assertThat(s.configFile()).contains(file);
    }

    @Test
    void the_config_flag_wins_over_the_config_variable() throws IOException {
        Path file = configFile("port=1001\n");

        AppSettings s = load(List.of("--config=" + file), Map.of("SANDGATE_CONFIG", home.resolve("nope").toString()));

        assertThat(s.port()).isEqualTo(1001);
    }

    @Test
    void every_setting_has_a_flag_and_a_variable() {
        for (Setting<?> setting : Setting.values()) {
            assertThat(setting.flag()).isEqualTo("--" + setting.key());
            assertThat(setting.env()).startsWith("SANDGATE_");
            assertThat(Setting.byKey(setting.key())).contains(setting);
            assertThat(Setting.byEnv(setting.env())).contains(setting);
            assertThat(SettingsLoader.usage()).contains(setting.flag()).contains(setting.env());
        }
        assertThat(Setting.PORT.env()).isEqualTo("SANDGATE_PORT");
        assertThat(Setting.DATA_DIR.env()).isEqualTo("SANDGATE_DATA_DIR");
        assertThat(Setting.PUBLIC_URL.env()).isEqualTo("SANDGATE_PUBLIC_URL");
    }

    @Test
    void every_setting_is_read_from_its_variable() {
        AppSettings s = load(List.of(), Map.ofEntries(
                Map.entry("SANDGATE_HOST", "0.0.0.0"),
                Map.entry("SANDGATE_PORT", "0"),
                Map.entry("SANDGATE_DATA_DIR", "~/data"),
                Map.entry("SANDGATE_API_KEY", "0123456789abcdef-key"),
                Map.entry("SANDGATE_WORKSPACE", "acme"),
                Map.entry("SANDGATE_ISOLATION", "none"),
                Map.entry("SANDGATE_PUBLIC_URL", "https://sandgate.example.test/"),
                Map.entry("SANDGATE_GATEWAY", "local"),
                Map.entry("SANDGATE_BODY_LIMIT", "64KiB"),
                Map.entry("SANDGATE_MAX_HEADER_SIZE", "16384"),
                Map.entry("SANDGATE_MAX_INITIAL_LINE", "2k"),
                Map.entry("SANDGATE_KEEPALIVE_INTERVAL", "500ms"),
                Map.entry("SANDGATE_WORKER_POOL_SIZE", "4"),
                Map.entry("SANDGATE_UPSTREAM_HOST", "localhost"),
                Map.entry("SANDGATE_MAX_FILE_SIZE", "1MiB"),
                Map.entry("SANDGATE_STOP_GRACE_PERIOD", "PT2S"),
                Map.entry("SANDGATE_OUTPUT_BUFFER", "4096"),
                Map.entry("SANDGATE_RETAINED_PROCESSES", "7"),
                Map.entry("SANDGATE_WAIT_TIMEOUT", "2m"),
                Map.entry("SANDGATE_WARM_SHELL_IDLE", "0s"),
                Map.entry("SANDGATE_PREVIEW_PORTS", "20000-20099"),
                Map.entry("SANDGATE_AUTH_FAILURES_PER_MINUTE", "0"),
                Map.entry("SANDGATE_MAX_CONNECTIONS_PER_IP", "8"),
                Map.entry("SANDGATE_PREVIEW_DOMAIN", "LocalHost"),
                Map.entry("SANDGATE_TOKEN_MINTS_PER_MINUTE", "5")));

        assertThat(s.host()).isEqualTo("0.0.0.0");
        assertThat(s.port()).isZero();
        assertThat(s.dataDir()).isEqualTo(home.resolve("data"));
        assertThat(s.apiKey()).contains("0123456789abcdef-key");
        assertThat(s.workspace()).isEqualTo("acme");
        assertThat(s.isolation()).isEqualTo(IsolationMode.NONE);
        assertThat(s.publicUrl()).contains(URI.create("https://sandgate.example.test"));
        assertThat(s.broker().bodyLimitBytes()).isEqualTo(64 * 1024);
        assertThat(s.broker().maxHeaderBytes()).isEqualTo(16384);
        assertThat(s.broker().maxInitialLineBytes()).isEqualTo(2048);
        assertThat(s.broker().keepaliveInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.broker().workerPoolSize()).isEqualTo(4);
        assertThat(s.broker().upstreamHost()).isEqualTo("localhost");
        assertThat(s.maxFileBytes()).isEqualTo(1024 * 1024);
        assertThat(s.processes().stopGracePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.processes().outputBufferBytes()).isEqualTo(4096);
        assertThat(s.processes().retainedFinishedProcesses()).isEqualTo(7);
        assertThat(s.processes().defaultWaitTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.processes().warmShellIdle()).isZero();
        assertThat(s.broker().previewPorts()).isEqualTo(dev.sandgate.adapter.vertx.PreviewPorts.range(20000, 20099));
        assertThat(s.broker().authFailuresPerMinute()).isZero();
        assertThat(s.broker().maxConnectionsPerIp()).isEqualTo(8);
        assertThat(s.broker().previewDomain()).contains("localhost");
        assertThat(s.broker().tokenMintsPerMinute()).isEqualTo(5);
    }

    @Test
    void a_relative_data_dir_is_resolved_against_the_working_directory() {
        AppSettings s = load(List.of("--data-dir=state"), Map.of());

        assertThat(s.dataDir()).isEqualTo(home.resolve("work").resolve("state"));
    }

    @Test
    void help_is_recognised_before_anything_is_validated() {
        Invocation invocation = loader().load(List.of("--port=nope", "--help"), Map.of());

        assertThat(invocation).isInstanceOf(Invocation.Help.class);
        assertThat(((Invocation.Help) invocation).usage()).contains("--port=", "SANDGATE_PORT", "default: 8080");
    }

    @Test
    void an_unknown_flag_is_refused_by_name() {
        assertThatThrownBy(() -> loader().load(List.of("--prot=80"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown flag '--prot'");
    }

    @Test
    void a_positional_argument_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of("8080"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unexpected argument '8080'");
    }

    @Test
    void a_flag_without_a_value_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--port"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("--port needs a value");
    }

    @Test
    void a_flag_given_twice_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--port=1", "--port=2"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("--port is given twice");
    }

    @Test
    void a_bad_port_names_the_value_and_its_source() {
        assertThatThrownBy(() -> loader().load(List.of("--port=80800"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid port '80800' (from --port): out of range 0-65535");
        assertThatThrownBy(() -> loader().load(List.of(), Map.of("SANDGATE_PORT", "http")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid port 'http' (from SANDGATE_PORT): not a whole number");
    }

    @Test
    void a_bad_value_in_the_file_names_the_file() throws IOException {
        Path file = configFile("idle-timeout=forever\n");

        assertThatThrownBy(() -> loader().load(List.of("--config=" + file), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid idle-timeout 'forever' (from 'idle-timeout' in " + file + ")");
    }

    @Test
    void an_unknown_key_in_the_file_is_refused() throws IOException {
        Path file = configFile("prot=80\n");

        assertThatThrownBy(() -> loader().load(List.of("--config=" + file), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("unknown setting 'prot' in " + file);
    }

    @Test
    void a_missing_config_file_is_refused() {
        Path missing = home.resolve("missing.properties");

        assertThatThrownBy(() -> loader().load(List.of(), Map.of("SANDGATE_CONFIG", missing.toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("configuration file " + missing + " does not exist");
    }

    @Test
    void an_unknown_gateway_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of(), Map.of("SANDGATE_GATEWAY", "cloud")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid gateway 'cloud' (from SANDGATE_GATEWAY): 'cloud' is not a gateway;"
                        + " use 'local', 'remote' or 'cluster'");
    }

    @Test
    void the_remote_gateway_reads_its_upstream_from_the_environment() {
        AppSettings s = load(List.of(), Map.of(
                "SANDGATE_GATEWAY", "remote",
                "SANDGATE_UPSTREAM_URL", "http://127.0.0.1:9090/v0/",
                "SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY,
                "SANDGATE_UPSTREAM_WORKSPACE", "acme"));

        assertThat(s.gateway()).isEqualTo(GatewayKind.REMOTE);
        Upstream upstream = s.upstream().orElseThrow();
        assertThat(upstream.url()).isEqualTo(URI.create("http://127.0.0.1:9090/v0"));
        assertThat(upstream.apiKey()).isEqualTo(UPSTREAM_KEY);
        assertThat(upstream.keyOrigin()).isEqualTo("SANDGATE_UPSTREAM_API_KEY");
        assertThat(upstream.workspace()).isEqualTo("acme");
    }

    @Test
    void the_remote_gateway_reads_its_upstream_from_flags_and_the_file_too() throws IOException {
        Path file = configFile("gateway=remote\nupstream-url=https://api.blaxel.ai/v0\nupstream-api-key=" + UPSTREAM_KEY
                + "\n");

        AppSettings s = load(List.of("--config=" + file, "--upstream-url=http://10.0.0.7:8080/v0"), Map.of());

        Upstream upstream = s.upstream().orElseThrow();
        assertThat(upstream.url()).isEqualTo(URI.create("http://10.0.0.7:8080/v0"));
        assertThat(upstream.apiKey()).isEqualTo(UPSTREAM_KEY);
        assertThat(upstream.keyOrigin()).isEqualTo("'upstream-api-key' in " + file);
        assertThat(upstream.workspace()).isEqualTo("default");
    }

    @Test
    void the_local_gateway_has_no_upstream() {
        assertThat(load(List.of(), Map.of()).upstream()).isEmpty();
    }

    @Test
    void remote_without_an_upstream_url_is_refused_naming_the_setting() {
        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote"),
                Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("the remote gateway needs the upstream's control-plane URL: --upstream-url=..."
                        + " or SANDGATE_UPSTREAM_URL=...");
    }

    @Test
    void remote_without_an_upstream_key_is_refused_naming_both_ways_to_give_it() {
        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0"),
                Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the remote gateway needs the upstream's API key")
                .hasMessageContaining("SANDGATE_UPSTREAM_API_KEY_FILE")
                .hasMessageContaining("SANDGATE_UPSTREAM_API_KEY ");
    }

    @Test
    void an_upstream_url_that_is_not_http_is_refused() {
        for (String url : List.of("ftp://127.0.0.1/v0", "localhost:9090/v0", "http://127.0.0.1/v0?x=1")) {
            assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=" + url),
                    Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY)))
                    .as(url)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("invalid upstream-url '" + url + "' (from --upstream-url)")
                    .hasMessageContaining("give an absolute http(s) URL");
        }
    }

    @Test
    void an_upstream_url_with_user_info_is_refused_without_echoing_it() {
        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=http://me:pw@10.0.0.7/v0"),
                Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid upstream-url 'http://***@10.0.0.7/v0' (from --upstream-url)")
                .hasMessageNotContaining("pw");
    }

    @Test
    void an_upstream_url_without_a_path_is_accepted_with_a_warning() {
        Invocation.Run run = (Invocation.Run) loader().load(List.of("--gateway=remote",
                "--upstream-url=http://127.0.0.1:9090"), Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY));

        assertThat(run.warnings()).singleElement().asString().contains("has no path", "/v0");
    }

    @Test
    void the_upstream_key_may_come_from_an_owner_only_file() throws IOException {
        Path keyFile = home.resolve("upstream-key");
        Files.writeString(keyFile, UPSTREAM_KEY + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));

        AppSettings s = load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0"),
                Map.of("SANDGATE_UPSTREAM_API_KEY_FILE", "~/upstream-key"));

        assertThat(s.upstream().orElseThrow().apiKey()).isEqualTo(UPSTREAM_KEY);
        assertThat(s.upstream().orElseThrow().keyOrigin())
                .isEqualTo("the file " + keyFile + " (from SANDGATE_UPSTREAM_API_KEY_FILE)");
    }

    @Test
    void an_upstream_key_file_others_may_read_is_refused_without_echoing_the_key() throws IOException {
        Path keyFile = home.resolve("upstream-key");
        Files.writeString(keyFile, UPSTREAM_KEY + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0",
                "--upstream-api-key-file=" + keyFile), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("upstream API key file " + keyFile + " (from --upstream-api-key-file) is open to"
                        + " others (mode rw-r--r--); make it 0600")
                .hasMessageNotContaining(UPSTREAM_KEY);
    }

    @Test
    void a_missing_upstream_key_file_is_refused() {
        Path keyFile = home.resolve("nope");

        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0",
                "--upstream-api-key-file=" + keyFile), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("upstream API key file " + keyFile + " (from --upstream-api-key-file) does not exist");
    }

    @Test
    void the_upstream_key_and_its_file_together_are_refused() throws IOException {
        Path keyFile = home.resolve("upstream-key");
        Files.writeString(keyFile, UPSTREAM_KEY);

        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0",
                "--upstream-api-key-file=" + keyFile), Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("give the upstream's API key once: upstream-api-key (from SANDGATE_UPSTREAM_API_KEY) or"
                        + " upstream-api-key-file (from --upstream-api-key-file), not both");
    }

    @Test
    void a_bad_upstream_key_is_refused_without_being_echoed() {
        assertThatThrownBy(() -> loader().load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0",
                "--upstream-api-key=secret with spaces"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid upstream-api-key *** (from --upstream-api-key)")
                .hasMessageNotContaining("secret with spaces");
    }

    @Test
    void upstream_settings_on_the_local_gateway_are_ignored_with_a_warning_that_shows_no_value() {
        Invocation.Run run = (Invocation.Run) loader().load(List.of("--upstream-url=http://127.0.0.1:9090/v0"),
                Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY));

        assertThat(run.settings().gateway()).isEqualTo(GatewayKind.LOCAL);
        assertThat(run.settings().upstream()).isEmpty();
        assertThat(run.warnings()).containsExactly("ignoring upstream-url, upstream-api-key: only the remote gateway"
                + " has an upstream, and the gateway is 'local'");
    }

    @Test
    void the_upstream_key_never_appears_in_the_settings_text() {
        AppSettings s = load(List.of("--gateway=remote", "--upstream-url=http://127.0.0.1:9090/v0"),
                Map.of("SANDGATE_UPSTREAM_API_KEY", UPSTREAM_KEY));

        assertThat(s.toString()).doesNotContain(UPSTREAM_KEY).contains("http://127.0.0.1:9090/v0", "apiKey=***");
        assertThat(s.upstream().orElseThrow().toString()).doesNotContain(UPSTREAM_KEY);
    }

    @Test
    void app_settings_keep_an_upstream_exactly_for_the_remote_gateway() {
        Upstream upstream = new Upstream(URI.create("http://127.0.0.1:9090/v0"), UPSTREAM_KEY, "a test", "default");
        AppSettings remote = AppSettings.defaults(home.resolve("d")).toBuilder().remote(upstream).build();

        assertThat(remote.gateway()).isEqualTo(GatewayKind.REMOTE);
        assertThat(remote.upstream()).contains(upstream);
        assertThat(remote.toBuilder().port(0).build().upstream()).contains(upstream);
        assertThatThrownBy(() -> new AppSettings(GatewayKind.REMOTE, Optional.empty(), remote.host(), 0,
                remote.publicUrl(), remote.dataDir(), remote.apiKey(), remote.workspace(), remote.isolation(),
                remote.allowUnisolatedSessions(), remote.broker(), remote.processes(), remote.maxFileBytes(), remote.limits(), remote.network(), remote.configFile(), remote.store()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the remote gateway needs an upstream");
    }

    @Test
    void an_unknown_isolation_mode_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--isolation=docker"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("(from --isolation)")
                .hasMessageContaining("use auto, bwrap or none");
    }

    @Test
    void the_sandbox_network_is_isolated_unless_egress_is_asked_for() {
        Invocation.Run byDefault = (Invocation.Run) loader().load(List.of(), Map.of());
        Invocation.Run egress = (Invocation.Run) loader().load(List.of(), Map.of("SANDGATE_SANDBOX_NETWORK", "egress"));

        assertThat(byDefault.settings().network()).isEqualTo(NetworkMode.ISOLATED);
        assertThat(egress.settings().network()).isEqualTo(NetworkMode.EGRESS);
        assertThatThrownBy(() -> loader().load(List.of("--sandbox-network=host"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("(from --sandbox-network)")
                .hasMessageContaining("use isolated or egress");
    }

    @Test
    void a_short_api_key_is_refused_without_being_echoed() {
        assertThatThrownBy(() -> loader().load(List.of("--api-key=short-secret"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid api-key *** (from --api-key)")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void a_reserved_workspace_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--workspace=v0"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid workspace 'v0'");
    }

    @Test
    void a_public_url_with_a_query_is_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--public-url=http://x.test/?a=b"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid public-url");
    }

    @Test
    void sandbox_limits_default_to_512_processes_no_cpu_quota_and_10_gib_of_disk() {
        AppSettings s = load(List.of(), Map.of());

        assertThat(s.limits().maxProcesses()).isEqualTo(512);
        assertThat(s.limits().cpus()).isEmpty();
        assertThat(s.limits().diskQuotaBytes()).isEqualTo(10L * 1024 * 1024 * 1024);
    }

    @Test
    void sandbox_limits_come_from_flags_and_the_environment() {
        AppSettings s = load(List.of("--sandbox-cpus=0.5", "--sandbox-disk-quota=16MiB"),
                Map.of("SANDGATE_SANDBOX_MAX_PROCESSES", "32", "SANDGATE_SANDBOX_CPUS", "3"));

        assertThat(s.limits().maxProcesses()).isEqualTo(32);
        assertThat(s.limits().cpus()).hasValue(0.5);
        assertThat(s.limits().diskQuotaBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(load(List.of("--sandbox-disk-quota=0"), Map.of()).limits().diskQuotaBytes()).isZero();
    }

    @Test
    void sandbox_limits_out_of_range_are_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--sandbox-max-processes=0"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid sandbox-max-processes '0'");
        assertThatThrownBy(() -> loader().load(List.of("--sandbox-cpus=-1"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid sandbox-cpus '-1'");
        assertThatThrownBy(() -> loader().load(List.of("--sandbox-cpus=lots"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid sandbox-cpus 'lots'");
        assertThatThrownBy(() -> loader().load(List.of("--sandbox-disk-quota=1KiB"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid sandbox-disk-quota '1KiB'");
    }

    @Test
    void sizes_and_durations_out_of_range_are_refused() {
        assertThatThrownBy(() -> loader().load(List.of("--body-limit=2GiB"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid body-limit '2GiB'");
        assertThatThrownBy(() -> loader().load(List.of("--idle-timeout=0s"), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("invalid idle-timeout '0s'");
    }

    @Test
    void unknown_sandgate_variables_are_reported_as_warnings_and_others_ignored() {
        Invocation.Run run = (Invocation.Run) loader().load(List.of(),
                Map.of("SANDGATE_PROT", "80", "PATH", "/usr/bin"));

        assertThat(run.warnings()).containsExactly("ignoring unknown environment variable SANDGATE_PROT");
    }

    @Test
    void the_api_key_never_appears_in_the_settings_text() {
        AppSettings s = load(List.of("--api-key=0123456789abcdef-secret"), Map.of());

        assertThat(s.toString()).doesNotContain("0123456789abcdef-secret").contains("apiKey=***");
        assertThat(s.apiKey()).isEqualTo(Optional.of("0123456789abcdef-secret"));
    }

    @Test
    void home_is_the_home_variable_when_set_and_the_jvm_user_home_otherwise() {
        assertThat(SettingsLoader.home(Map.of("HOME", "/somewhere"), "/root")).isEqualTo(Path.of("/somewhere"));
        assertThat(SettingsLoader.home(Map.of(), "/root")).isEqualTo(Path.of("/root"));
        assertThat(SettingsLoader.home(Map.of("HOME", ""), "/root")).isEqualTo(Path.of("/root"));
        assertThat(SettingsLoader.home(Map.of("HOME", "relative"), "/root")).isEqualTo(Path.of("/root"));
    }
}
