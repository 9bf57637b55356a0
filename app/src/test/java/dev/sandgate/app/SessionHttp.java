package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.Sandgate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the tests of revoke-all and renewal share: a broker's Java client, HTTP with the API key or a session's token,
 * and a log stream read line by line as it comes.
 */
final class SessionHttp {
    private static final Pattern PID = Pattern.compile("\"pid\"\\s*:\\s*\"([^\"]+)\"");

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final String base;
    final String apiKey;
    final String workspace;

    SessionHttp(SandgateApp app) {
        this.base = app.publicUrl().toString();
        this.apiKey = app.apiKey().value();
        this.workspace = app.settings().workspace();
    }

    /** The sandbox, created if missing, through the Java client over HTTP. */
    SandboxInstance sandbox(String name) {
        return Sandgate.create(client().gateway()).sandboxes().createIfNotExists(name);
    }

    /** The Java client with the API key. */
    SandgateClient client() {
        return SandgateClient.builder().baseUrl(base + "/v0").workspace(workspace).apiKey(apiKey).build();
    }

    HttpResponse<String> withKey(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("x-blaxel-authorization", "Bearer " + apiKey).header("x-blaxel-workspace", workspace)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> withToken(String method, String url, String token, String body) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-Blaxel-Preview-Token", token).header("Content-Type", "application/json")
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** {@code url} under this broker (a session's URL names the broker that minted it). */
    String here(String url) {
        return url.replaceFirst("^http://[^/]+", base);
    }

    /** The status of a read through the session, at this broker. */
    int probe(Session session) {
        return withToken("GET", here(session.url()) + "/process", session.token().value(), "").statusCode();
    }

    /** Starts a long process through the session; returns its pid. */
    String sleeper(Session session) {
        HttpResponse<String> r = withToken("POST", here(session.url()) + "/process", session.token().value(),
                "{\"command\":\"sleep 600\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Matcher m = PID.matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        return m.group(1);
    }

    /** A streamed answer's lines as they come; {@code ended} completes when the broker ends it. */
    record Reading(List<String> lines, CompletableFuture<Void> ended) {
        String last() {
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    /** Opens the process's log stream with the session's token at this broker. */
    Reading logStream(Session session, String pid) {
        try {
            HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(here(session.url())
                            + "/process/" + pid + "/logs/stream")).header("X-Blaxel-Preview-Token",
                            session.token().value()).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> lines = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> r.body().forEach(lines::add));
            return new Reading(lines, ended);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
