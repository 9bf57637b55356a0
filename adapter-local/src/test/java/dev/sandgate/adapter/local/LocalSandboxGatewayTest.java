package dev.sandgate.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.local.process.ProcessSettings;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.contract.Eventually;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSandboxGatewayTest {
    private static final SandboxName NAME = SandboxName.of("persisted");
    private static final PreviewName SESSION = PreviewName.of("session-1");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;
    private LocalSandboxGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private LocalSandboxGateway reopen() {
        if (gateway != null) {
            gateway.close();
        }
        gateway = TestGateways.open(dataDir);
        return gateway;
    }

    private static FileAccessStore storeOf(Path dataDir) {
        LocalSettings settings = LocalSettings.defaults(dataDir);
        return FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(), false);
    }

    @Test
    void a_new_gateway_over_the_same_directory_finds_sandboxes_previews_tokens_and_files() {
        LocalSandboxGateway first = reopen();
        Sandbox created = first.createSandbox(SandboxSpec.of(NAME).withMemoryMb(512).withLabels(Map.of("k", "v")));
        Preview preview = first.createPreview(NAME, PreviewSpec.privatePort(SESSION, Port.SANDBOX_API));
        Instant expiresAt = Instant.now().plusSeconds(3600);
        PreviewToken token = first.createToken(NAME, SESSION, TokenName.of("t1"), expiresAt);
        first.dataPlane(NAME).writeFile(SandboxPath.of("/app/kept.txt"), "kept".getBytes(StandardCharsets.UTF_8),
                Optional.empty());

        LocalSandboxGateway second = reopen();

        assertThat(second.findSandbox(NAME)).contains(created);
        assertThat(second.findPreview(NAME, SESSION)).contains(preview);
        assertThat(second.listTokens(NAME, SESSION)).containsExactly(token);
        assertThat(storeOf(dataDir).verify(NAME, SESSION, token.value().value(), Instant.now())).contains(token);
        assertThat(second.dataPlane(NAME).readFile(SandboxPath.of("/app/kept.txt")).text()).isEqualTo("kept");
    }

    @Test
    void an_update_survives_a_restart() {
        reopen().createSandbox(SandboxSpec.of(NAME));
        gateway.updateSandbox(SandboxSpec.of(NAME).withImage("other:1").withMemoryMb(256)
                .withExternalId("crm-7").withDisplayName("Seven"));

        assertThat(reopen().findSandbox(NAME)).get().satisfies(s -> {
            assertThat(s.image()).isEqualTo("other:1");
            assertThat(s.memoryMb()).isEqualTo(256);
            assertThat(s.spec().externalId()).contains("crm-7");
            assertThat(s.spec().displayName()).contains("Seven");
        });
    }

    @Test
    void deleting_a_sandbox_removes_its_processes_previews_tokens_and_files() {
        reopen().createSandbox(SandboxSpec.of(NAME));
        gateway.createPreview(NAME, PreviewSpec.privatePort(SESSION, Port.SANDBOX_API));
        String value = gateway.createToken(NAME, SESSION, TokenName.of("t1"), Instant.now().plusSeconds(3600))
                .value().value();
        DataPlane data = gateway.dataPlane(NAME);
        data.writeFile(SandboxPath.of("/f.txt"), new byte[] {1}, Optional.empty());
        ProcessInfo sleeper = data.exec(ProcessSpec.of("sleep 30"));
        ProcessHandle handle = ProcessHandle.of(Long.parseLong(sleeper.pid())).orElseThrow();

        gateway.deleteSandbox(NAME);

        Eventually.await("the sandbox's process exited", PATIENCE, () -> !handle.isAlive());
        assertThat(gateway.findSandbox(NAME)).isEmpty();
        assertThat(gateway.findPreview(NAME, SESSION)).isEmpty();
        assertThat(dataDir.resolve("sandboxes")).isEmptyDirectory();
        assertThat(dataDir.resolve("access").resolve(NAME.value())).doesNotExist();
        assertThat(storeOf(dataDir).verify(NAME, SESSION, value, Instant.now())).isEmpty();
        assertThatThrownBy(() -> data.readFile(SandboxPath.of("/f.txt"))).isInstanceOf(SandgateException.class);
        assertThatThrownBy(() -> gateway.dataPlane(NAME)).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void a_sandbox_created_again_under_a_deleted_name_starts_empty_and_without_old_tokens() {
        reopen().createSandbox(SandboxSpec.of(NAME));
        gateway.createPreview(NAME, PreviewSpec.privatePort(SESSION, Port.SANDBOX_API));
        gateway.createToken(NAME, SESSION, TokenName.of("t1"), Instant.now().plusSeconds(3600));
        gateway.dataPlane(NAME).writeFile(SandboxPath.of("/old.txt"), new byte[] {1}, Optional.empty());
        gateway.deleteSandbox(NAME);

        gateway.createSandbox(SandboxSpec.of(NAME));

        assertThat(gateway.listPreviews(NAME)).isEmpty();
        assertThat(gateway.dataPlane(NAME).listDirectory(SandboxPath.ROOT).files()).isEmpty();
    }

    @Test
    void a_new_sandbox_starts_as_a_copy_of_its_image_template() throws IOException {
        Path template = dataDir.resolve("images").resolve("acme_tools+1.2");
        Files.createDirectories(template.resolve("bin"));
        Path tool = Files.writeString(template.resolve("bin/tool.sh"), "echo tool\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(template.resolve("README"), "from the template");

        reopen().createSandbox(SandboxSpec.of(NAME).withImage("acme/tools:1.2"));
        DataPlane data = gateway.dataPlane(NAME);

        assertThat(data.readFile(SandboxPath.of("/README")).text()).isEqualTo("from the template");
        FileEntry copied = data.stat(SandboxPath.of("/bin/tool.sh"));
        assertThat(copied.permissions()).isEqualTo("0750");
        data.writeFile(SandboxPath.of("/README"), new byte[] {1}, Optional.empty());
        assertThat(template.resolve("README")).hasContent("from the template");
    }

    @Test
    void an_image_without_a_template_starts_empty() {
        reopen().createSandbox(SandboxSpec.of(NAME));
        DataPlane data = gateway.dataPlane(NAME);

        assertThat(data.listDirectory(SandboxPath.ROOT).files()).isEmpty();
        assertThat(data.listDirectory(SandboxPath.ROOT).subdirectories()).isEmpty();
    }

    @Test
    void image_names_map_to_template_directories() {
        assertThat(SandboxDirectories.templateName("blaxel/base-image:latest")).isEqualTo("blaxel_base-image+latest");
        assertThat(SandboxDirectories.templateName("node:22")).isEqualTo("node+22");
        assertThat(SandboxDirectories.templateName("../../etc")).isEqualTo(".._.._etc");
        assertThat(SandboxDirectories.templateName("a b\\c")).isEqualTo("a_b_c");
    }

    @Test
    void an_image_name_cannot_reach_outside_the_images_directory() throws IOException {
        Files.createDirectories(dataDir.resolve("etc"));
        Files.writeString(dataDir.resolve("etc/leak"), "x");

        reopen().createSandbox(SandboxSpec.of(NAME).withImage("../etc"));
        DataPlane data = gateway.dataPlane(NAME);

        assertThat(data.listDirectory(SandboxPath.ROOT).files()).isEmpty();
    }

    @Test
    void processes_get_the_sandbox_envs_under_their_own() {
        reopen().createSandbox(SandboxSpec.of(NAME).withEnvs(List.of(new EnvVar("FROM_SANDBOX", "s"),
                new EnvVar("SHARED", "sandbox"))));
        DataPlane data = gateway.dataPlane(NAME);

        ProcessInfo done = data.exec(ProcessSpec.of("echo $FROM_SANDBOX-$SHARED").withEnv(Map.of("SHARED", "process"))
                .withWaitForCompletion(true));

        assertThat(data.logs(done.pid()).stdout()).isEqualTo("s-process\n");
    }

    @Test
    void urls_come_from_the_url_scheme() {
        UrlScheme urls = UrlScheme.under(URI.create("http://broker.example:9000/"), "ws");
        gateway = TestGateways.open(LocalSettings.defaults(dataDir).toBuilder().urls(urls).build());

        Sandbox sandbox = gateway.createSandbox(SandboxSpec.of(NAME));
        Preview preview = gateway.createPreview(NAME, PreviewSpec.publicPort(PreviewName.of("web"), Port.of(3000)));

        assertThat(sandbox.url()).isEqualTo("http://broker.example:9000/ws/sandboxes/persisted");
        assertThat(preview.url()).isEqualTo("http://broker.example:9000/p/persisted/web");
    }

    @Test
    void a_corrupt_record_is_skipped_and_the_other_sandboxes_load() throws IOException {
        reopen().createSandbox(SandboxSpec.of(NAME));
        gateway.createSandbox(SandboxSpec.of(SandboxName.of("broken")));
        gateway.close();
        Files.writeString(dataDir.resolve("sandboxes/broken/sandbox.json"), "{not json");

        assertThat(reopen().listSandboxes()).extracting(s -> s.name().value()).containsExactly("persisted");
    }

    @Test
    void open_builds_a_working_gateway_from_settings() {
        LocalSettings settings = LocalSettings.defaults(dataDir).toBuilder().isolation(IsolationMode.NONE)
                .durableWrites(false).build();
        try (LocalSandboxGateway opened = LocalSandboxGateway.open(settings, Clock.systemUTC())) {
            opened.createSandbox(SandboxSpec.of(NAME));

            ProcessInfo done = opened.dataPlane(NAME).exec(ProcessSpec.of("echo opened").withWaitForCompletion(true));

            assertThat(opened.isolation().inForce()).isEqualTo(IsolationMode.NONE);
            assertThat(opened.dataPlane(NAME).logs(done.pid()).stdout()).isEqualTo("opened\n");
            assertThat(dataDir.resolve("secret.key")).exists();
        }
    }

    @Test
    void settings_are_validated() {
        LocalSettings defaults = LocalSettings.defaults(dataDir);

        assertThat(defaults.maxFileBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(defaults.secretKeyFile()).isEqualTo(dataDir.resolve("secret.key"));
        assertThat(defaults.isolation()).isEqualTo(IsolationMode.AUTO);
        assertThat(defaults.processes()).isEqualTo(ProcessSettings.defaults());
        assertThat(LocalSettings.defaults().dataDir().getFileName()).hasToString(".sandgate");
        assertThatThrownBy(() -> defaults.toBuilder().maxFileBytes(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.toBuilder().maxFileBytes(LocalSettings.MAX_FILE_BYTES_LIMIT + 1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.toBuilder().secretKeyFile(dataDir).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.toBuilder().urls(null).build()).isInstanceOf(NullPointerException.class);
    }
}
