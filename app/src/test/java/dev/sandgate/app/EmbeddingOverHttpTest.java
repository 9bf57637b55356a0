package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API over HTTP against the real broker: what it sends, and which sandbox it says it reaches. */
class EmbeddingOverHttpTest {
    @TempDir
    static Path dataDir;
    private static SandgateApp broker;

    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = SandgateApp.start(TestSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true)
                .build(), Clock.systemUTC(), new SecureRandom());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private SandgateClient.Builder recordingClient() {
        OkHttpClient recording = new OkHttpClient.Builder().addInterceptor(chain -> {
            requests.add(chain.request().method() + " " + chain.request().url().encodedPath());
            return chain.proceed(chain.request());
        }).build();
        return SandgateClient.builder().baseUrl(broker.publicUrl() + "/v0").okHttpClient(recording);
    }

    @Test
    void a_sandbox_instance_reads_its_data_plane_url_once_however_often_it_is_used() throws IOException {
        SandgateClient client = recordingClient().workspace(broker.settings().workspace())
                .apiKey(broker.apiKey().value()).build();
        SandboxInstance sandbox = Sandgate.create(client.gateway()).sandboxes().createIfNotExists("counted");
        requests.clear();

        sandbox.fs().write("/tmp/a.txt", "one");
        sandbox.fs().read("/tmp/a.txt");
        sandbox.process().exec(ProcessSpec.of("echo hi").withWaitForCompletion(true));
        sandbox.process().list();
        sandbox.fs().ls("/tmp");

        assertThat(requests.stream().filter(r -> r.equals("GET /v0/sandboxes/counted")))
                .as("look-ups of the sandbox among %s", requests).hasSize(1);
        assertThat(requests.stream().filter(r -> r.contains(" /v0/")))
                .as("the control plane is asked once, the rest goes to the data plane").hasSize(1);
    }

    @Test
    void a_text_read_is_one_request_and_a_binary_read_two() throws IOException {
        List<String> accepts = new CopyOnWriteArrayList<>();
        OkHttpClient recording = new OkHttpClient.Builder().addInterceptor(chain -> {
            requests.add(chain.request().method() + " " + chain.request().url().encodedPath());
            accepts.add(String.valueOf(chain.request().header("Accept")));
            return chain.proceed(chain.request());
        }).build();
        SandgateClient client = SandgateClient.builder().baseUrl(broker.publicUrl() + "/v0").okHttpClient(recording)
                .workspace(broker.settings().workspace()).apiKey(broker.apiKey().value()).build();
        SandboxInstance sandbox = Sandgate.create(client.gateway()).sandboxes().createIfNotExists("reads");
        byte[] notUtf8 = {(byte) 0xff, 0, (byte) 0xfe, 'x'};
        sandbox.fs().write("/tmp/t.txt", "text");
        sandbox.fs().writeBinary("/tmp/b.bin", notUtf8);
        requests.clear();
        accepts.clear();

        String text = sandbox.fs().read("/tmp/t.txt");

        assertThat(text).isEqualTo("text");
        assertThat(requests).as("a text read").containsExactly("GET /" + broker.settings().workspace()
                + "/sandboxes/reads/filesystem/%2Ftmp%2Ft.txt");
        requests.clear();
        accepts.clear();

        byte[] bytes = sandbox.fs().readBinary("/tmp/b.bin").bytes();

        assertThat(bytes).isEqualTo(notUtf8);
        assertThat(requests).as("a binary read: metadata, then the bytes").hasSize(2);
        assertThat(accepts.get(1)).isEqualTo("application/octet-stream");
    }

    @Test
    void a_session_over_http_names_its_real_sandbox() {
        SandgateClient backend = SandgateClient.builder().baseUrl(broker.publicUrl() + "/v0")
                .workspace(broker.settings().workspace()).apiKey(broker.apiKey().value()).build();
        Session session = Sandgate.create(backend.gateway()).sandboxes().createIfNotExists("named").sessions().create();

        SessionSandbox browser = Sandgate.fromSession(session, recordingClient().build().sessionConnector());

        assertThat(browser.sandbox()).isEqualTo(SandboxName.of("named"));
        assertThat(requests).as("naming the sandbox costs no request").isEmpty();
        browser.fs().write("/tmp/b.txt", "through the session");
        assertThat(browser.fs().read("/tmp/b.txt")).isEqualTo("through the session");
        assertThat(requests).isNotEmpty().allSatisfy(r -> assertThat(r).contains(" /s/named/"));
    }
}
