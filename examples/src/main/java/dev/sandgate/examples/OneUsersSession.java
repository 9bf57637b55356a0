package dev.sandgate.examples;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.domain.SessionQuotas;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.SessionScopes.Operation;
import dev.sandgate.ports.audit.AuditEntry;
import dev.sandgate.ports.audit.AuditQuery;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One idea: a backend mints a session for one end user that may only read and write files under {@code /workspace},
 * only from its own web origin, at a bounded rate; the user's page edits a file and is refused a shell; the backend
 * then reads that user's audit trail.
 *
 * <pre>
 * SANDGATE_URL=http://127.0.0.1:8080 SANDGATE_API_KEY=… SANDGATE_WORKSPACE=default \
 *   java -cp examples/target/… dev.sandgate.examples.OneUsersSession
 * </pre>
 */
public final class OneUsersSession {
    /** The page the session is for: only a browser showing this origin may use it. */
    public static final String APP_ORIGIN = "https://app.example";

    private OneUsersSession() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        String apiKey = env.get("SANDGATE_API_KEY");
        if (apiKey == null || apiKey.isBlank()) {
            System.err.println("set SANDGATE_API_KEY (the broker prints where its key file is)");
            System.exit(2);
        }
        Backend backend = new Backend(env.getOrDefault("SANDGATE_URL", "http://127.0.0.1:8080"),
                env.getOrDefault("SANDGATE_WORKSPACE", "default"), apiKey, "one-user-demo");
        Session session = backend.mintFor("alice");
        System.out.println(usedByThePage(backend.brokerUrl, session));
        // the trail is written off the request's path: give it a moment
        Instant deadline = Instant.now().plusSeconds(5);
        List<String> trail = backend.trailOf("alice");
        while (trail.size() < 2 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            trail = backend.trailOf("alice");
        }
        trail.forEach(System.out::println);
    }

    /** The side that holds the API key: it mints sessions and reads the trail. */
    public static final class Backend {
        private final String brokerUrl;
        private final SandboxInstance sandbox;

        public Backend(String brokerUrl, String workspace, String apiKey, String sandboxName) {
            this.brokerUrl = brokerUrl;
            SandgateClient client = SandgateClient.builder().baseUrl(brokerUrl + "/v0").workspace(workspace)
                    .apiKey(apiKey).build();
            this.sandbox = Sandgate.create(client.gateway()).withAuditTrail(client.auditTrail()).sandboxes()
                    .createIfNotExists(SandboxSpec.of(SandboxName.of(sandboxName)));
        }

        /** A 15-minute session for {@code user}: files under /workspace only, from {@link #APP_ORIGIN} only. */
        public Session mintFor(String user) {
            return sandbox.sessions().create(SessionOptions.builder()
                    .expiresAt(Instant.now().plus(Duration.ofMinutes(15)))
                    .scopes(SessionScopes.of(Operation.FS_READ, Operation.FS_WRITE).withPaths("/workspace"))
                    .subject(user)
                    .origins(APP_ORIGIN)
                    .responseHeader("Access-Control-Allow-Origin", APP_ORIGIN)
                    .quotas(SessionQuotas.DEFAULTS.withRequestsPerSecond(20))
                    .build());
        }

        /** What {@code user}'s sessions did, oldest first, one line each. */
        public List<String> trailOf(String user) {
            List<String> lines = new ArrayList<>();
            for (AuditEntry e : sandbox.audit(AuditQuery.all().withSubject(user)).entries()) {
                lines.add(e.time() + " " + e.session() + " " + e.operation() + " " + e.target().orElse("-") + " "
                        + e.status() + e.code().map(c -> " " + c).orElse(""));
            }
            return List.copyOf(lines);
        }
    }

    /** The user's page, holding only the session: it edits its file, and is refused what its scopes leave out. */
    public static String usedByThePage(String brokerUrl, Session session) {
        SandgateClient keyless = SandgateClient.builder().baseUrl(brokerUrl + "/v0").build();
        SessionSandbox page = Sandgate.fromSession(session, keyless.sessionConnector());
        page.fs().write("/workspace/notes.md", "# alice's notes\n");
        String read = page.fs().read("/workspace/notes.md").strip();
        String refused;
        try {
            page.process().exec(ProcessSpec.of("cat /etc/passwd").withWaitForCompletion(true));
            refused = "ran a shell";
        } catch (SandgateException.Unauthorized e) {
            refused = "refused a shell: " + e.getMessage();
        }
        return "read back '" + read + "', " + refused;
    }
}
