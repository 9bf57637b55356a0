package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.SandboxGateway;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An unexpected failure is a JSON 502, and neither the answer nor the log carries a secret it mentioned. */
class SecrecyTest {
    @Test
    void an_unexpected_gateway_failure_is_a_502_and_its_secret_message_is_neither_answered_nor_logged() throws Exception {
        String[] secret = {"never-shown"};
        SandboxGateway[] wrapped = new SandboxGateway[1];
        try (BrokerFixture broker = new BrokerFixture(s -> s, Duration.ofSeconds(10), g -> {
            wrapped[0] = (SandboxGateway) Proxy.newProxyInstance(SandboxGateway.class.getClassLoader(),
                    new Class<?>[] {SandboxGateway.class}, (proxy, method, args) -> {
                        if (method.getName().equals("dataPlane")) {
                            throw new IllegalStateException("leaked " + secret[0] + " and " + BrokerFixture.KEY);
                        }
                        try {
                            return method.invoke(g, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            return wrapped[0];
        })) {
            SandboxName sandbox = broker.sandbox("secret");
            PreviewToken token = broker.session(sandbox, "session-1", BrokerFixture.T0.plus(Duration.ofHours(1)), Map.of());
            secret[0] = token.value().value();

            HttpResponse<String> r = broker.send(broker.request(broker.sessionUrl(sandbox, "session-1") + "/process")
                    .header("X-Blaxel-Preview-Token", secret[0]).GET());
            HttpResponse<String> wrongKey = broker.send(broker.request(broker.base + "/v0/sandboxes")
                    .header("X-Blaxel-Authorization", "Bearer " + secret[0]).GET());

            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(BrokerFixture.json(r).getString("error")).isNotBlank();
            assertThat(r.body()).doesNotContain(secret[0]).doesNotContain(BrokerFixture.KEY);
            assertThat(wrongKey.body()).doesNotContain(secret[0]);
        }
        Path log = Path.of("target", "broker-test.log");
        String logged = Files.exists(log) ? Files.readString(log) : "";
        assertThat(logged).contains("IllegalStateException").doesNotContain(secret[0]).doesNotContain(BrokerFixture.KEY);
    }
}
