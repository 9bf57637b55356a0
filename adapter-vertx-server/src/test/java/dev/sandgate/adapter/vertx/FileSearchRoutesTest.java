package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fs.find} and {@code fs.grep} on the wire, with the bodies the SDK reads. */
class FileSearchRoutesTest {
    private BrokerFixture broker;
    private String session;
    private String token;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        SandboxName sandbox = broker.sandbox("search");
        PreviewToken t = broker.session(sandbox, "session", BrokerFixture.T0.plus(Duration.ofDays(1)), Map.of());
        session = broker.sessionUrl(sandbox, "session");
        token = t.value().value();
        var files = broker.gateway.dataPlane(sandbox);
        files.writeFile(SandboxPath.of("/app/a.js"), "let x = 1;\nconsole.log('Needle');\n"
                .getBytes(StandardCharsets.UTF_8), Optional.empty());
        files.writeFile(SandboxPath.of("/app/b.txt"), "no match here\n".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        files.writeFile(SandboxPath.of("/app/node_modules/x.js"), "needle\n".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private HttpResponse<String> get(String path) {
        return broker.send(broker.request(session + path).header("X-Blaxel-Preview-Token", token).GET());
    }

    @Test
    void find_answers_matches_with_their_type_and_the_total() {
        HttpResponse<String> r = get("/filesystem-find/%2Fapp?type=file&patterns=*.js&excludeDirs=node_modules");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getJsonArray("matches")).isEqualTo(new JsonArray()
                .add(new JsonObject().put("path", "/app/a.js").put("type", "file")));
        assertThat(body.getInteger("total")).isEqualTo(1);
    }

    @Test
    void grep_answers_path_line_column_text_context_and_the_query() {
        HttpResponse<String> r = get("/filesystem-content-search/%2Fapp?query=needle&contextLines=1"
                + "&excludeDirs=node_modules&filePattern=*.js");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        JsonObject match = body.getJsonArray("matches").getJsonObject(0);
        assertThat(match.getString("path")).isEqualTo("/app/a.js");
        assertThat(match.getInteger("line")).isEqualTo(2);
        assertThat(match.getInteger("column")).isEqualTo(14);
        assertThat(match.getString("text")).isEqualTo("console.log('Needle');");
        assertThat(match.getString("context")).isEqualTo("let x = 1;\nconsole.log('Needle');\n");
        assertThat(body.getString("query")).isEqualTo("needle");
        assertThat(body.getInteger("total")).isEqualTo(1);
    }

    @Test
    void bad_parameters_are_400_with_what_was_wrong_and_an_unknown_path_404() {
        for (String bad : new String[] {
                "/filesystem-find/%2Fapp?type=socket",
                "/filesystem-find/%2Fapp?maxResults=abc",
                "/filesystem-find/%2Fapp?maxResults=0",
                "/filesystem-find/%2Fapp?patterns=a%2Fb",
                "/filesystem-content-search/%2Fapp",
                "/filesystem-content-search/%2Fapp?query=x&contextLines=99",
                "/filesystem-content-search/%2F..%2Fetc?query=x"}) {
            HttpResponse<String> r = get(bad);

            assertThat(r.statusCode()).as(bad + " → " + r.body()).isEqualTo(400);
            assertThat(new JsonObject(r.body()).getString("error")).isNotBlank();
        }
        assertThat(get("/filesystem-content-search/%2Fnope?query=x").statusCode()).isEqualTo(404);
        assertThat(broker.send(broker.request(session + "/filesystem-find/%2Fapp")
                .header("X-Blaxel-Preview-Token", token)
                .DELETE()).statusCode()).isEqualTo(405);
    }
}
