package dev.sandgate.examples;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.PortSpec;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One idea: a backend holding the API key mints a session; a second client holding only that session runs a
 * process and reads its logs.
 *
 * <pre>
 * SANDGATE_URL=http://127.0.0.1:8080 SANDGATE_API_KEY=… SANDGATE_WORKSPACE=default \
 *   java -cp examples/target/… dev.sandgate.examples.SessionHandoff
 * </pre>
 */
public final class SessionHandoff {
    private SessionHandoff() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        String url = env.getOrDefault("SANDGATE_URL", "http://127.0.0.1:8080");
        String apiKey = env.get("SANDGATE_API_KEY");
        if (apiKey == null || apiKey.isBlank()) {
            System.err.println("set SANDGATE_API_KEY (the broker prints where its key file is)");
            System.exit(2);
        }
        System.out.println(run(url, env.getOrDefault("SANDGATE_WORKSPACE", "default"), apiKey, "handoff-demo"));
    }

    /** Runs the hand-off and returns what the session-only client read back. */
    public static String run(String brokerUrl, String workspace, String apiKey, String sandboxName) {
        // The backend: it alone holds the API key.
        SandgateClient backend = SandgateClient.builder()
                .baseUrl(brokerUrl + "/v0").workspace(workspace).apiKey(apiKey).build();
        SandboxInstance sandbox = Sandgate.create(backend.gateway()).sandboxes()
                .createIfNotExists(SandboxSpec.of(SandboxName.of(sandboxName))
                        .withPorts(List.of(PortSpec.http("web", 3000))));
        Session session = sandbox.sessions()
                .createIfExpired(SessionOptions.expiringAt(Instant.now().plus(Duration.ofMinutes(15))));

        // The browser side: a client built without any API key, holding only the session.
        SandgateClient anonymous = SandgateClient.builder().baseUrl(brokerUrl + "/v0").build();
        SessionSandbox browser = Sandgate.fromSession(session, anonymous.sessionConnector());
        ProcessInfo done = browser.process().exec(ProcessSpec.of("echo hello from $(pwd)")
                .withName("hello-" + System.currentTimeMillis()).withWaitForCompletion(true));
        return "process " + done.pid() + " " + done.status().wireName() + ": "
                + browser.process().logs(done.pid()).stdout().strip();
    }
}
