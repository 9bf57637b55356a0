package dev.sandgate.app;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.contract.SandboxGatewayContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * The proof that the local and HTTP adapters are swappable: the whole gateway contract, run through the Retrofit
 * client against the real broker (Vert.x server over the local runtime) on a free port. One broker serves the
 * class; every test gets a fresh client and deletes what it created.
 */
class RetrofitOverBrokerContractTest extends SandboxGatewayContract {
    private static SandgateApp broker;
    private static Path dataDir;

    private SandgateClient client;

    private static synchronized SandgateApp broker() {
        if (broker == null) {
            try {
                dataDir = Files.createTempDirectory("sandgate-contract");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // the contract's session cases run wherever processes can or cannot be isolated
            broker = SandgateApp.start(TestSettings.defaults(dataDir).toBuilder().port(0).allowUnisolatedSessions(true).build(),
                    Clock.systemUTC(), new SecureRandom());
        }
        return broker;
    }

    @AfterAll
    static void stopBroker() throws IOException {
        if (broker != null) {
            broker.close();
            broker = null;
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    protected SandboxGateway newGateway() {
        SandgateApp app = broker();
        client = SandgateClient.builder()
                .baseUrl(app.publicUrl() + "/v0")
                .workspace(app.settings().workspace())
                .apiKey(app.apiKey().value())
                .build();
        return client.gateway();
    }

    @Override
    protected SessionConnector sessionConnector(SandboxGateway gateway) {
        // a client without any API key: the session alone must be enough
        return SandgateClient.builder().baseUrl(broker().publicUrl() + "/v0").build().sessionConnector();
    }
}
