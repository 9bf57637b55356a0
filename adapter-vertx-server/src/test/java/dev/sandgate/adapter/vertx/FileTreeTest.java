package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fs.writeTree}: {@code PUT /filesystem/tree/<dest>} with a map of relative paths to contents. */
class FileTreeTest {
    private BrokerFixture broker;
    private SandboxName sandbox;
    private String session;
    private String token;

    @BeforeEach
    void start() {
        broker = new BrokerFixture();
        sandbox = broker.sandbox("tree");
        PreviewToken t = broker.session(sandbox, "session", BrokerFixture.T0.plus(Duration.ofDays(1)), Map.of());
        session = broker.sessionUrl(sandbox, "session");
        token = t.value().value();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private HttpResponse<String> put(String path, String body) {
        return broker.send(broker.request(session + path).header("X-Blaxel-Preview-Token", token)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String read(String path) {
        return new String(broker.gateway.dataPlane(sandbox).readFile(SandboxPath.of(path)).bytes(),
                StandardCharsets.UTF_8);
    }

    private boolean exists(String path) {
        try {
            broker.gateway.dataPlane(sandbox).stat(SandboxPath.of(path));
            return true;
        } catch (SandgateException.NotFound e) {
            return false;
        }
    }

    @Test
    void every_file_is_written_below_the_destination_and_the_answer_lists_it() {
        HttpResponse<String> r = put("/filesystem/tree//app/src",
                "{\"files\":{\"main.js\":\"console.log(1)\",\"lib/util.js\":\"export {}\"}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject listing = new JsonObject(r.body());
        assertThat(listing.getString("path")).isEqualTo("/app/src");
        assertThat(listing.getJsonArray("files").getJsonObject(0).getString("name")).isEqualTo("main.js");
        assertThat(listing.getJsonArray("subdirectories").getJsonObject(0).getString("name")).isEqualTo("lib");
        assertThat(read("/app/src/main.js")).isEqualTo("console.log(1)");
        assertThat(read("/app/src/lib/util.js")).isEqualTo("export {}");
    }

    @Test
    void a_bad_entry_is_a_400_and_writes_nothing_not_even_the_good_ones() {
        for (String files : new String[] {
                "{\"ok.txt\":\"fine\",\"../escape.txt\":\"no\"}",
                "{\"ok.txt\":\"fine\",\"a/../../escape.txt\":\"no\"}",
                "{\"ok.txt\":\"fine\",\"bad.txt\":42}",
                "{\"ok.txt\":\"fine\",\"\":\"no\"}",
                "{\"ok.txt\":\"fine\",\"nul\\u0000.txt\":\"no\"}",
                "[\"not an object\"]"}) {
            HttpResponse<String> r = put("/filesystem/tree//dest", "{\"files\":" + files + "}");

            assertThat(r.statusCode()).as(files + " → " + r.body()).isEqualTo(400);
            assertThat(new JsonObject(r.body()).getString("error")).isNotBlank();
        }
        assertThat(exists("/dest")).isFalse();
        assertThat(exists("/escape.txt")).isFalse();
    }

    @Test
    void an_empty_tree_makes_the_destination_and_lists_it() {
        HttpResponse<String> r = put("/filesystem/tree//empty", "{\"files\":{}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(exists("/empty")).isTrue();
    }

    @Test
    void a_put_under_tree_without_files_still_writes_that_file() {
        HttpResponse<String> r = put("/filesystem/tree/notes.txt", "{\"content\":\"plain file\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(read("/tree/notes.txt")).isEqualTo("plain file");
    }
}
