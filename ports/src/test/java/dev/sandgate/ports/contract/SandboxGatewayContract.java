package dev.sandgate.ports.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.ErrorCode;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.HttpHeaders;
import dev.sandgate.domain.LogLine;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.ProcessStatus;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandboxStatus;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.domain.SessionOptions;
import dev.sandgate.domain.TokenName;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.usecase.SandboxInstance;
import dev.sandgate.ports.usecase.Sandgate;
import dev.sandgate.ports.usecase.SessionSandbox;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SandboxGateway} must have. An implementation's test extends this class and supplies a
 * fresh gateway per test and the {@link SessionConnector} that opens its sessions; nothing else. The suite uses the
 * system clock (it runs against real adapters), names everything uniquely per test, deletes the sandboxes it created
 * after each test, and only runs the shell commands {@code echo <word>}, {@code sleep 30} and {@code exit 3} so that
 * a test double can emulate them.
 */
public abstract class SandboxGatewayContract {
    /** How long anything asynchronous (a process finishing, a log stream ending) may take. */
    protected static final Duration PATIENCE = Duration.ofSeconds(10);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Clock clock = Clock.systemUTC();
    private final List<SandboxName> created = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    protected SandboxGateway gateway;

    /** A fresh gateway for one test. */
    protected abstract SandboxGateway newGateway();

    /** The connector that opens this gateway's sessions with nothing but the session. */
    protected abstract SessionConnector sessionConnector(SandboxGateway gateway);

    /** Releases what {@link #newGateway()} acquired; called after each test, once its sandboxes were deleted. */
    protected void closeGateway(SandboxGateway gateway) {
    }

    @BeforeEach
    final void openGateway() {
        gateway = newGateway();
    }

    @AfterEach
    final void deleteSandboxesAndClose() {
        try {
            for (SandboxName name : created) {
                try {
                    gateway.deleteSandbox(name);
                } catch (SandgateException alreadyGone) {
                    // deleted by the test itself
                }
            }
        } finally {
            closeGateway(gateway);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A sandbox name no other test (or earlier run against the same gateway) uses; deleted after the test. */
    protected final SandboxName uniqueSandboxName() {
        SandboxName name = SandboxName.of("contract-" + run + "-" + SEQUENCE.incrementAndGet());
        created.add(name);
        return name;
    }

    protected final String uniqueName(String prefix) {
        return prefix + "-" + run + "-" + SEQUENCE.incrementAndGet();
    }

    private Sandbox newSandbox() {
        return gateway.createSandbox(SandboxSpec.of(uniqueSandboxName()));
    }

    private DataPlane newDataPlane() {
        return gateway.dataPlane(newSandbox().name());
    }

    private SandboxInstance newInstance() {
        return Sandgate.create(gateway, clock).sandboxes().createIfNotExists(SandboxSpec.of(uniqueSandboxName()));
    }

    private PreviewSpec publicPreview(String name, int port) {
        return PreviewSpec.publicPort(PreviewName.of(name), Port.of(port));
    }

    private static ProcessSpec echo(String word) {
        return ProcessSpec.of("echo " + word).withWaitForCompletion(true);
    }

    private static ProcessSpec sleeper() {
        return ProcessSpec.of("sleep 30");
    }

    private static ProcessStatus statusOf(DataPlane data, String identifier) {
        return data.getProcess(identifier).status();
    }

    private static SandboxPath path(String value) {
        return SandboxPath.of(value);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- streamed exec

    @Test
    void streamed_exec_delivers_the_output_then_ends_and_answers_the_finished_process() {
        DataPlane data = newDataPlane();
        RecordingLogListener listener = new RecordingLogListener();

        ProcessInfo done = data.execStreaming(ProcessSpec.of("echo streamed"), listener);

        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(listener.lines()).extracting(LogLine::text).contains("streamed");
        assertThat(listener.ended()).isTrue();
    }

    // ---------------------------------------------------------------- sandboxes

    @Test
    void created_sandbox_is_found_by_its_name() {
        SandboxName name = uniqueSandboxName();
        gateway.createSandbox(SandboxSpec.of(name));

        assertThat(gateway.findSandbox(name)).map(Sandbox::name).contains(name);
    }

    @Test
    void created_sandbox_reports_the_spec_it_was_given_and_is_usable() {
        SandboxName name = uniqueSandboxName();
        Sandbox sandbox = gateway.createSandbox(SandboxSpec.of(name).withMemoryMb(2048)
                .withLabels(Map.of("team", "contract")));

        assertThat(sandbox.memoryMb()).isEqualTo(2048);
        assertThat(sandbox.labels()).containsEntry("team", "contract");
        assertThat(sandbox.status().isReusable()).isTrue();
    }

    @Test
    void creating_a_sandbox_with_a_taken_name_is_a_conflict() {
        Sandbox sandbox = newSandbox();

        assertThatThrownBy(() -> gateway.createSandbox(SandboxSpec.of(sandbox.name())))
                .isInstanceOf(SandgateException.Conflict.class)
                .hasMessageContaining(sandbox.name().value());
    }

    @Test
    void unknown_sandbox_is_not_found() {
        assertThat(gateway.findSandbox(uniqueSandboxName())).isEmpty();
    }

    @Test
    void listed_sandboxes_include_the_created_ones_ordered_by_name() {
        SandboxName first = uniqueSandboxName();
        SandboxName second = uniqueSandboxName();
        gateway.createSandbox(SandboxSpec.of(second));
        gateway.createSandbox(SandboxSpec.of(first));

        List<String> names = gateway.listSandboxes().stream().map(s -> s.name().value()).toList();

        assertThat(names).containsSubsequence(first.value(), second.value());
        assertThat(names).isSorted();
    }

    @Test
    void updating_a_sandbox_replaces_its_memory_and_labels() {
        Sandbox sandbox = newSandbox();

        gateway.updateSandbox(sandbox.spec().withMemoryMb(1024).withLabels(Map.of("stage", "two")));

        Sandbox found = gateway.findSandbox(sandbox.name()).orElseThrow();
        assertThat(found.memoryMb()).isEqualTo(1024);
        assertThat(found.labels()).containsExactly(Map.entry("stage", "two"));
    }

    @Test
    void updating_an_unknown_sandbox_is_not_found() {
        assertThatThrownBy(() -> gateway.updateSandbox(SandboxSpec.of(uniqueSandboxName())))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleted_sandbox_is_returned_as_deleting_and_no_longer_found() {
        Sandbox sandbox = newSandbox();

        Sandbox deleted = gateway.deleteSandbox(sandbox.name());

        assertThat(deleted.name()).isEqualTo(sandbox.name());
        assertThat(deleted.status()).isEqualTo(SandboxStatus.DELETING);
        assertThat(gateway.findSandbox(sandbox.name())).isEmpty();
    }

    @Test
    void deleting_an_unknown_sandbox_is_not_found() {
        assertThatThrownBy(() -> gateway.deleteSandbox(uniqueSandboxName()))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleting_a_sandbox_deletes_its_previews() {
        Sandbox sandbox = newSandbox();
        gateway.createPreview(sandbox.name(), publicPreview("web", 3000));

        gateway.deleteSandbox(sandbox.name());

        assertThat(gateway.findPreview(sandbox.name(), PreviewName.of("web"))).isEmpty();
    }

    @Test
    void data_plane_of_an_unknown_sandbox_is_not_found() {
        SandboxName unknown = uniqueSandboxName();

        assertThatThrownBy(() -> gateway.dataPlane(unknown).listProcesses())
                .isInstanceOf(SandgateException.NotFound.class);
    }

    // ---------------------------------------------------------------- previews

    @Test
    void created_preview_is_found_with_its_port_visibility_and_url() {
        Sandbox sandbox = newSandbox();

        Preview created = gateway.createPreview(sandbox.name(), publicPreview("web", 3000));

        Preview found = gateway.findPreview(sandbox.name(), PreviewName.of("web")).orElseThrow();
        assertThat(found.port()).isEqualTo(Port.of(3000));
        assertThat(found.isPublic()).isTrue();
        assertThat(found.url()).isEqualTo(created.url()).startsWith("http").doesNotEndWith("/");
    }

    @Test
    void created_preview_keeps_its_response_headers() {
        Sandbox sandbox = newSandbox();
        PreviewSpec spec = publicPreview("web", 3000)
                .withResponseHeaders(HttpHeaders.of(Map.of("Access-Control-Allow-Origin", "https://app.example")));

        gateway.createPreview(sandbox.name(), spec);

        Preview found = gateway.findPreview(sandbox.name(), PreviewName.of("web")).orElseThrow();
        assertThat(found.spec().responseHeaders().get("access-control-allow-origin")).contains("https://app.example");
    }

    @Test
    void creating_a_preview_with_a_taken_name_is_a_conflict() {
        Sandbox sandbox = newSandbox();
        gateway.createPreview(sandbox.name(), publicPreview("web", 3000));

        assertThatThrownBy(() -> gateway.createPreview(sandbox.name(), publicPreview("web", 4000)))
                .isInstanceOf(SandgateException.Conflict.class);
    }

    @Test
    void the_same_preview_name_may_be_used_in_two_sandboxes() {
        Sandbox one = newSandbox();
        Sandbox two = newSandbox();
        gateway.createPreview(one.name(), publicPreview("web", 3000));

        Preview other = gateway.createPreview(two.name(), publicPreview("web", 3000));

        assertThat(other.sandbox()).isEqualTo(two.name());
    }

    @Test
    void creating_a_preview_in_an_unknown_sandbox_is_not_found() {
        SandboxName unknown = uniqueSandboxName();

        assertThatThrownBy(() -> gateway.createPreview(unknown, publicPreview("web", 3000)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void unknown_preview_is_not_found() {
        Sandbox sandbox = newSandbox();

        assertThat(gateway.findPreview(sandbox.name(), PreviewName.of("missing"))).isEmpty();
    }

    @Test
    void previews_are_listed_oldest_first() {
        Sandbox sandbox = newSandbox();
        gateway.createPreview(sandbox.name(), publicPreview("zeta", 3000));
        gateway.createPreview(sandbox.name(), publicPreview("alpha", 3001));

        assertThat(gateway.listPreviews(sandbox.name())).extracting(p -> p.name().value())
                .containsExactly("zeta", "alpha");
    }

    @Test
    void listing_previews_of_an_unknown_sandbox_is_not_found() {
        SandboxName unknown = uniqueSandboxName();

        assertThatThrownBy(() -> gateway.listPreviews(unknown)).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void updating_a_preview_replaces_its_settings_and_keeps_its_url() {
        Sandbox sandbox = newSandbox();
        Preview created = gateway.createPreview(sandbox.name(), publicPreview("web", 3000));

        gateway.updatePreview(sandbox.name(), PreviewSpec.privatePort(PreviewName.of("web"), Port.of(3000)));

        Preview found = gateway.findPreview(sandbox.name(), PreviewName.of("web")).orElseThrow();
        assertThat(found.isPublic()).isFalse();
        assertThat(found.url()).isEqualTo(created.url());
    }

    @Test
    void updating_a_preview_keeps_its_url_even_when_its_port_changes() {
        Sandbox sandbox = newSandbox();
        Preview created = gateway.createPreview(sandbox.name(), publicPreview("web", 3000));

        Preview updated = gateway.updatePreview(sandbox.name(), publicPreview("web", 3001));

        assertThat(updated.port()).isEqualTo(Port.of(3001));
        assertThat(updated.url()).isEqualTo(created.url());
        assertThat(gateway.findPreview(sandbox.name(), PreviewName.of("web"))).map(Preview::url).contains(created.url());
    }

    @Test
    void updating_an_unknown_preview_is_not_found() {
        Sandbox sandbox = newSandbox();

        assertThatThrownBy(() -> gateway.updatePreview(sandbox.name(), publicPreview("missing", 3000)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleted_preview_is_returned_and_no_longer_found() {
        Sandbox sandbox = newSandbox();
        gateway.createPreview(sandbox.name(), publicPreview("web", 3000));

        Preview deleted = gateway.deletePreview(sandbox.name(), PreviewName.of("web"));

        assertThat(deleted.name()).isEqualTo(PreviewName.of("web"));
        assertThat(gateway.findPreview(sandbox.name(), PreviewName.of("web"))).isEmpty();
    }

    @Test
    void deleting_an_unknown_preview_is_not_found() {
        Sandbox sandbox = newSandbox();

        assertThatThrownBy(() -> gateway.deletePreview(sandbox.name(), PreviewName.of("missing")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleting_a_preview_deletes_its_tokens() {
        Sandbox sandbox = newSandbox();
        PreviewSpec spec = PreviewSpec.privatePort(PreviewName.of("web"), Port.of(3000));
        gateway.createPreview(sandbox.name(), spec);
        gateway.createToken(sandbox.name(), spec.name(), TokenName.of("old"), clock.instant().plusSeconds(3600));

        gateway.deletePreview(sandbox.name(), spec.name());
        gateway.createPreview(sandbox.name(), spec);

        assertThat(gateway.listTokens(sandbox.name(), spec.name())).isEmpty();
    }

    // ---------------------------------------------------------------- preview tokens

    @Test
    void created_token_carries_its_name_preview_expiry_and_a_secret() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(),
                PreviewSpec.privatePort(PreviewName.of("web"), Port.of(3000))).name();
        Instant expiresAt = clock.instant().plusSeconds(3600).truncatedTo(ChronoUnit.MILLIS);

        PreviewToken token = gateway.createToken(sandbox.name(), preview, TokenName.of("t1"), expiresAt);

        assertThat(token.name()).isEqualTo(TokenName.of("t1"));
        assertThat(token.sandbox()).isEqualTo(sandbox.name());
        assertThat(token.preview()).isEqualTo(preview);
        assertThat(token.expiresAt()).isEqualTo(expiresAt);
        assertThat(token.value().value()).hasSizeGreaterThanOrEqualTo(22);
    }

    @Test
    void two_tokens_get_different_secrets() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        Instant expiresAt = clock.instant().plusSeconds(3600);

        PreviewToken one = gateway.createToken(sandbox.name(), preview, TokenName.of("t1"), expiresAt);
        PreviewToken two = gateway.createToken(sandbox.name(), preview, TokenName.of("t2"), expiresAt);

        assertThat(one.value().matches(two.value().value())).isFalse();
    }

    @Test
    void tokens_are_listed_newest_first_with_their_secrets() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        Instant expiresAt = clock.instant().plusSeconds(3600);
        PreviewToken older = gateway.createToken(sandbox.name(), preview, TokenName.of("t-older"), expiresAt);
        PreviewToken newer = gateway.createToken(sandbox.name(), preview, TokenName.of("t-newer"), expiresAt);

        List<PreviewToken> listed = gateway.listTokens(sandbox.name(), preview);

        assertThat(listed).extracting(t -> t.name().value()).containsExactly("t-newer", "t-older");
        assertThat(listed.get(0).value().matches(newer.value().value())).isTrue();
        assertThat(listed.get(1).value().matches(older.value().value())).isTrue();
    }

    @Test
    void a_token_expiring_in_the_past_is_accepted_and_already_expired() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        Instant now = clock.instant();

        PreviewToken token = gateway.createToken(sandbox.name(), preview, TokenName.of("late"), now.minusSeconds(60));

        assertThat(token.isExpiredAt(now)).isTrue();
    }

    @Test
    void creating_a_token_with_a_taken_name_is_a_conflict() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        gateway.createToken(sandbox.name(), preview, TokenName.of("t1"), clock.instant().plusSeconds(60));

        assertThatThrownBy(() -> gateway.createToken(sandbox.name(), preview, TokenName.of("t1"),
                clock.instant().plusSeconds(60)))
                .isInstanceOf(SandgateException.Conflict.class);
    }

    @Test
    void creating_a_token_for_an_unknown_preview_is_not_found() {
        Sandbox sandbox = newSandbox();

        assertThatThrownBy(() -> gateway.createToken(sandbox.name(), PreviewName.of("missing"), TokenName.of("t1"),
                clock.instant().plusSeconds(60)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void creating_a_token_in_an_unknown_sandbox_is_not_found() {
        SandboxName unknown = uniqueSandboxName();

        assertThatThrownBy(() -> gateway.createToken(unknown, PreviewName.of("web"), TokenName.of("t1"),
                clock.instant().plusSeconds(60)))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void listing_tokens_of_an_unknown_preview_is_not_found() {
        Sandbox sandbox = newSandbox();

        assertThatThrownBy(() -> gateway.listTokens(sandbox.name(), PreviewName.of("missing")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleted_token_is_returned_and_no_longer_listed() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        Instant expiresAt = clock.instant().plusSeconds(60);
        gateway.createToken(sandbox.name(), preview, TokenName.of("keep"), expiresAt);
        gateway.createToken(sandbox.name(), preview, TokenName.of("drop"), expiresAt);

        PreviewToken deleted = gateway.deleteToken(sandbox.name(), preview, TokenName.of("drop"));

        assertThat(deleted.name()).isEqualTo(TokenName.of("drop"));
        assertThat(gateway.listTokens(sandbox.name(), preview)).extracting(t -> t.name().value())
                .containsExactly("keep");
    }

    @Test
    void listing_tokens_in_an_unknown_sandbox_is_not_found() {
        SandboxName unknown = uniqueSandboxName();

        assertThatThrownBy(() -> gateway.listTokens(unknown, PreviewName.of("web")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleting_a_token_of_an_unknown_preview_is_not_found() {
        Sandbox sandbox = newSandbox();

        assertThatThrownBy(() -> gateway.deleteToken(sandbox.name(), PreviewName.of("missing"), TokenName.of("t1")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void deleting_an_unknown_token_is_not_found() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();

        assertThatThrownBy(() -> gateway.deleteToken(sandbox.name(), preview, TokenName.of("missing")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    // ---------------------------------------------------------------- the cap on tokens per preview (rule R8)

    /** Mints {@code <prefix>1..<prefix>count} in that order, all expiring at {@code expiresAt}. */
    private void mintTokens(SandboxName sandbox, PreviewName preview, String prefix, int count, Instant expiresAt) {
        for (int i = 1; i <= count; i++) {
            gateway.createToken(sandbox, preview, TokenName.of(prefix + i), expiresAt);
        }
    }

    /** The names of a preview's tokens, newest first, as listed. */
    private List<String> tokenNames(SandboxName sandbox, PreviewName preview) {
        return gateway.listTokens(sandbox, preview).stream().map(t -> t.name().value()).toList();
    }

    /** {@code <prefix>to} down to {@code <prefix>from}: how a run of minted tokens is listed, newest first. */
    private static List<String> newestFirst(String prefix, int from, int to) {
        List<String> names = new ArrayList<>();
        for (int i = to; i >= from; i--) {
            names.add(prefix + i);
        }
        return names;
    }

    @Test
    void minting_the_11th_token_of_a_preview_deletes_the_oldest() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        Instant expiresAt = clock.instant().plusSeconds(3600);
        mintTokens(sandbox.name(), preview, "t", PreviewToken.MAX_PER_PREVIEW, expiresAt);
        TokenName eleventh = TokenName.of("t" + (PreviewToken.MAX_PER_PREVIEW + 1));

        gateway.createToken(sandbox.name(), preview, eleventh, expiresAt);

        assertThat(tokenNames(sandbox.name(), preview))
                .containsExactlyElementsOf(newestFirst("t", 2, PreviewToken.MAX_PER_PREVIEW + 1));
        assertThatThrownBy(() -> gateway.deleteToken(sandbox.name(), preview, TokenName.of("t1")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void a_session_whose_token_was_evicted_is_refused_and_the_newest_token_still_opens() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);
        mintTokens(sandbox.name(), session.name(), "later", PreviewToken.MAX_PER_PREVIEW - 1, session.expiresAt());
        PreviewToken newest = gateway.createToken(sandbox.name(), session.name(), TokenName.of("newest"),
                session.expiresAt());

        SessionSandbox evicted = Sandgate.fromSession(session, sessionConnector(gateway));
        SessionSandbox current = Sandgate.fromSession(
                new Session(session.name(), session.url(), newest.value(), newest.expiresAt()),
                sessionConnector(gateway));

        assertThatThrownBy(() -> evicted.process().list()).isInstanceOf(SandgateException.Unauthorized.class);
        assertThatCode(() -> current.process().list()).doesNotThrowAnyException();
    }

    @Test
    void expired_tokens_are_evicted_before_live_ones_oldest_first() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS); // the oldest token, and a live one
        String sessionToken = tokenNames(sandbox.name(), session.name()).get(0);
        mintTokens(sandbox.name(), session.name(), "expired", PreviewToken.MAX_PER_PREVIEW - 1,
                clock.instant().minusSeconds(60));

        mintTokens(sandbox.name(), session.name(), "fresh", 2, session.expiresAt());

        List<String> expected = new ArrayList<>(newestFirst("fresh", 1, 2));
        expected.addAll(newestFirst("expired", 3, PreviewToken.MAX_PER_PREVIEW - 1));
        expected.add(sessionToken);
        assertThat(tokenNames(sandbox.name(), session.name())).containsExactlyElementsOf(expected);
        SessionSandbox stillOpen = Sandgate.fromSession(session, sessionConnector(gateway));
        assertThatCode(() -> stillOpen.process().list()).doesNotThrowAnyException();
    }

    @Test
    void the_cap_leaves_the_tokens_of_other_previews_alone() {
        Sandbox sandbox = newSandbox();
        Sandbox other = newSandbox();
        PreviewName web = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        PreviewName api = gateway.createPreview(sandbox.name(), publicPreview("api", 3001)).name();
        gateway.createPreview(other.name(), publicPreview("web", 3000));
        Instant expiresAt = clock.instant().plusSeconds(3600);
        mintTokens(sandbox.name(), api, "t", PreviewToken.MAX_PER_PREVIEW, expiresAt);
        mintTokens(other.name(), web, "t", PreviewToken.MAX_PER_PREVIEW, expiresAt);

        mintTokens(sandbox.name(), web, "t", PreviewToken.MAX_PER_PREVIEW + 1, expiresAt);

        assertThat(tokenNames(sandbox.name(), web))
                .containsExactlyElementsOf(newestFirst("t", 2, PreviewToken.MAX_PER_PREVIEW + 1));
        assertThat(tokenNames(sandbox.name(), api))
                .containsExactlyElementsOf(newestFirst("t", 1, PreviewToken.MAX_PER_PREVIEW));
        assertThat(tokenNames(other.name(), web))
                .containsExactlyElementsOf(newestFirst("t", 1, PreviewToken.MAX_PER_PREVIEW));
    }

    @Test
    void a_deleted_token_makes_room_so_minting_evicts_nothing() {
        Sandbox sandbox = newSandbox();
        PreviewName preview = gateway.createPreview(sandbox.name(), publicPreview("web", 3000)).name();
        Instant expiresAt = clock.instant().plusSeconds(3600);
        mintTokens(sandbox.name(), preview, "t", PreviewToken.MAX_PER_PREVIEW, expiresAt);
        gateway.deleteToken(sandbox.name(), preview, TokenName.of("t5"));
        TokenName eleventh = TokenName.of("t" + (PreviewToken.MAX_PER_PREVIEW + 1));

        gateway.createToken(sandbox.name(), preview, eleventh, expiresAt);

        List<String> expected = new ArrayList<>(newestFirst("t", 6, PreviewToken.MAX_PER_PREVIEW + 1));
        expected.addAll(newestFirst("t", 1, 4));
        assertThat(tokenNames(sandbox.name(), preview)).containsExactlyElementsOf(expected);
    }

    // ---------------------------------------------------------------- sessions, through the use cases

    @Test
    void session_is_a_private_port_443_preview_named_after_the_current_millis() {
        SandboxInstance sandbox = newInstance();
        long before = clock.millis();

        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);

        long after = clock.millis();
        assertThat(session.name().value()).startsWith("session-");
        assertThat(Long.parseLong(session.name().value().substring("session-".length()))).isBetween(before, after);
        Preview preview = sandbox.previews().get(session.name());
        assertThat(preview.port()).isEqualTo(Port.SANDBOX_API);
        assertThat(preview.isPublic()).isFalse();
        assertThat(preview.url()).isEqualTo(session.url());
    }

    @Test
    void session_preview_expires_with_the_session() {
        SandboxInstance sandbox = newInstance();
        Instant expiresAt = clock.instant().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);

        Session session = sandbox.sessions().create(SessionOptions.expiringAt(expiresAt));

        assertThat(session.expiresAt()).isEqualTo(expiresAt);
        assertThat(sandbox.previews().get(session.name()).expires()).contains(expiresAt);
    }

    @Test
    void session_expires_after_24_hours_by_default() {
        SandboxInstance sandbox = newInstance();
        Instant before = clock.instant();

        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);

        Instant after = clock.instant();
        assertThat(session.expiresAt())
                .isBetween(before.plus(Session.DEFAULT_LIFETIME).minusMillis(1), after.plus(Session.DEFAULT_LIFETIME));
    }

    @Test
    void created_session_is_listed_and_found_by_name() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);

        assertThat(sandbox.sessions().list()).extracting(Session::name).containsExactly(session.name());
        Session found = sandbox.sessions().get(session.name());
        assertThat(found.url()).isEqualTo(session.url());
        assertThat(found.token().matches(session.token().value())).isTrue();
        assertThat(found.expiresAt()).isCloseTo(session.expiresAt(), within(1, ChronoUnit.MILLIS));
    }

    @Test
    void previews_that_are_not_sessions_are_not_listed_as_sessions() {
        SandboxInstance sandbox = newInstance();
        sandbox.previews().create(publicPreview("web", 3000));

        assertThat(sandbox.sessions().list()).isEmpty();
    }

    @Test
    void deleted_session_is_no_longer_listed_or_found() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);

        sandbox.sessions().delete(session.name());

        assertThat(sandbox.sessions().list()).isEmpty();
        assertThatThrownBy(() -> sandbox.sessions().get(session.name()))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void create_if_expired_creates_a_session_when_there_is_none() {
        SandboxInstance sandbox = newInstance();

        Session session = sandbox.sessions().createIfExpired(SessionOptions.DEFAULTS);

        assertThat(sandbox.sessions().list()).extracting(Session::name).containsExactly(session.name());
    }

    @Test
    void create_if_expired_reuses_a_session_that_outlives_the_delta() {
        SandboxInstance sandbox = newInstance();
        Session first = sandbox.sessions().create(SessionOptions.DEFAULTS);

        Session again = sandbox.sessions().createIfExpired(SessionOptions.DEFAULTS, Duration.ofHours(1));

        assertThat(again.name()).isEqualTo(first.name());
        assertThat(again.token().matches(first.token().value())).isTrue();
    }

    @Test
    void create_if_expired_replaces_a_session_that_expires_within_the_delta() {
        SandboxInstance sandbox = newInstance();
        Session old = sandbox.sessions().create(SessionOptions.expiringAt(clock.instant().plus(Duration.ofMinutes(30))));

        Session renewed = sandbox.sessions().createIfExpired(SessionOptions.DEFAULTS, Duration.ofHours(1));

        // In the same millisecond the new session may take the freed name; its token and expiry are new all the same.
        assertThat(renewed.token().matches(old.token().value())).isFalse();
        assertThat(renewed.expiresAt()).isAfter(old.expiresAt());
        assertThat(sandbox.sessions().list()).singleElement()
                .satisfies(s -> assertThat(s.token().matches(renewed.token().value())).isTrue());
    }

    @Test
    void session_opens_the_files_of_its_sandbox() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);
        SessionSandbox remote = Sandgate.fromSession(session, sessionConnector(gateway));

        remote.fs().write("/from-session.txt", "written with a session");

        assertThat(sandbox.fs().read("/from-session.txt")).isEqualTo("written with a session");
    }

    @Test
    void session_runs_processes_in_its_sandbox() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);
        SessionSandbox remote = Sandgate.fromSession(session, sessionConnector(gateway));

        ProcessInfo done = remote.process().exec(echo("remote"));

        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(sandbox.process().logs(done.pid()).stdout()).isEqualTo("remote\n");
    }

    @Test
    void a_session_data_plane_names_its_sandbox() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);

        assertThat(sessionConnector(gateway).connect(session).sandbox()).isEqualTo(sandbox.name());
    }

    @Test
    void deleted_session_is_refused() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);
        sandbox.sessions().delete(session.name());

        SessionSandbox remote = Sandgate.fromSession(session, sessionConnector(gateway));

        assertThatThrownBy(() -> remote.process().list())
                .isInstanceOfAny(SandgateException.Unauthorized.class, SandgateException.NotFound.class);
    }

    @Test
    void session_with_a_wrong_token_is_refused() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);
        Session forged = new Session(session.name(), session.url(),
                TokenValue.of("forged" + UUID.randomUUID().toString().replace("-", "")), session.expiresAt());

        SessionSandbox remote = Sandgate.fromSession(forged, sessionConnector(gateway));

        assertThatThrownBy(() -> remote.fs().ls("/")).isInstanceOf(SandgateException.Unauthorized.class);
    }

    @Test
    void session_of_one_sandbox_does_not_open_another() {
        SandboxInstance mine = newInstance();
        SandboxInstance theirs = newInstance();
        Session session = mine.sessions().create(SessionOptions.DEFAULTS);
        Session other = theirs.sessions().create(SessionOptions.DEFAULTS);
        Session crossed = new Session(other.name(), other.url(), session.token(), session.expiresAt());

        SessionSandbox remote = Sandgate.fromSession(crossed, sessionConnector(gateway));

        assertThatThrownBy(() -> remote.fs().ls("/")).isInstanceOf(SandgateException.Unauthorized.class);
    }

    /** The port allows either error for an expired session ({@link SessionConnector}); access must be refused. */
    @Test
    void expired_session_is_refused() {
        SandboxInstance sandbox = newInstance();
        Session session = sandbox.sessions().create(SessionOptions.DEFAULTS);
        PreviewToken past = gateway.createToken(sandbox.name(), session.name(), TokenName.of(uniqueName("expired")),
                clock.instant().minusSeconds(60));
        Session expired = new Session(session.name(), session.url(), past.value(), past.expiresAt());

        SessionSandbox remote = Sandgate.fromSession(expired, sessionConnector(gateway));

        assertThatThrownBy(() -> remote.process().list())
                .isInstanceOfAny(SandgateException.Expired.class, SandgateException.Unauthorized.class);
    }

    // ---------------------------------------------------------------- processes

    @Test
    void echo_waited_for_completes_with_exit_code_0() {
        DataPlane data = newDataPlane();

        ProcessInfo done = data.exec(echo("hello"));

        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(done.exitCode()).contains(0);
        assertThat(done.completedAt()).isPresent();
    }

    @Test
    void echo_output_is_kept_as_stdout() {
        DataPlane data = newDataPlane();

        ProcessInfo done = data.exec(echo("hello"));

        assertThat(data.logs(done.pid()).stdout()).isEqualTo("hello\n");
        assertThat(data.logs(done.pid()).stderr()).isEmpty();
        assertThat(data.logs(done.pid()).logs()).contains("hello");
    }

    @Test
    void exit_with_a_non_zero_code_fails_with_that_code() {
        DataPlane data = newDataPlane();

        ProcessInfo done = data.exec(ProcessSpec.of("exit 3").withWaitForCompletion(true));

        assertThat(done.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(done.exitCode()).contains(3);
    }

    @Test
    void process_started_without_waiting_completes_on_its_own() {
        DataPlane data = newDataPlane();

        ProcessInfo started = data.exec(ProcessSpec.of("echo later"));

        Eventually.await("process " + started.pid() + " completed", PATIENCE,
                () -> statusOf(data, started.pid()) == ProcessStatus.COMPLETED);
    }

    @Test
    void sleeping_process_is_running() {
        DataPlane data = newDataPlane();

        ProcessInfo started = data.exec(sleeper());

        assertThat(started.status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(started.exitCode()).isEmpty();
        assertThat(data.getProcess(started.pid()).isRunning()).isTrue();
    }

    @Test
    void process_is_found_by_pid_and_by_name() {
        DataPlane data = newDataPlane();
        String name = uniqueName("worker");

        ProcessInfo started = data.exec(sleeper().withName(name));

        assertThat(data.getProcess(started.pid()).name().value()).isEqualTo(name);
        assertThat(data.getProcess(name).pid()).isEqualTo(started.pid());
    }

    @Test
    void processes_are_listed_oldest_first_finished_ones_included() {
        DataPlane data = newDataPlane();
        ProcessInfo first = data.exec(echo("one"));
        ProcessInfo second = data.exec(sleeper());

        assertThat(data.listProcesses()).extracting(ProcessInfo::pid).containsSubsequence(first.pid(), second.pid());
    }

    @Test
    void name_of_a_running_process_cannot_be_reused() {
        DataPlane data = newDataPlane();
        String name = uniqueName("web");
        data.exec(sleeper().withName(name));

        assertThatThrownBy(() -> data.exec(sleeper().withName(name)))
                .isInstanceOf(SandgateException.Conflict.class)
                .hasMessageContaining(name);
    }

    @Test
    void name_of_a_finished_process_can_be_reused_and_then_means_the_newest() {
        DataPlane data = newDataPlane();
        String name = uniqueName("job");
        data.exec(echo("first").withName(name));

        ProcessInfo second = data.exec(echo("second").withName(name));

        assertThat(data.getProcess(name).pid()).isEqualTo(second.pid());
    }

    @Test
    void stopped_process_is_stopped_and_stays_so() {
        DataPlane data = newDataPlane();
        ProcessInfo started = data.exec(sleeper());

        ProcessInfo stopped = data.stopProcess(started.pid());

        assertThat(stopped.status()).isEqualTo(ProcessStatus.STOPPED);
        Eventually.await("process " + started.pid() + " exited", PATIENCE,
                () -> data.getProcess(started.pid()).completedAt().isPresent());
        assertThat(statusOf(data, started.pid())).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void killed_process_is_killed_and_stays_so() {
        DataPlane data = newDataPlane();
        ProcessInfo started = data.exec(sleeper());

        ProcessInfo killed = data.killProcess(started.pid());

        assertThat(killed.status()).isEqualTo(ProcessStatus.KILLED);
        Eventually.await("process " + started.pid() + " exited", PATIENCE,
                () -> data.getProcess(started.pid()).completedAt().isPresent());
        assertThat(statusOf(data, started.pid())).isEqualTo(ProcessStatus.KILLED);
        assertThat(data.getProcess(started.pid()).exitCode()).isPresent().get().isNotEqualTo(0);
    }

    @Test
    void process_can_be_stopped_by_name() {
        DataPlane data = newDataPlane();
        String name = uniqueName("server");
        ProcessInfo started = data.exec(sleeper().withName(name));

        data.stopProcess(name);

        Eventually.await("process " + name + " stopped", PATIENCE,
                () -> statusOf(data, started.pid()) == ProcessStatus.STOPPED);
    }

    @Test
    void stopping_a_finished_process_is_not_found() {
        DataPlane data = newDataPlane();
        ProcessInfo done = data.exec(echo("done"));

        assertThatThrownBy(() -> data.stopProcess(done.pid())).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void stopping_an_unknown_process_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.stopProcess("no-such-process")).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void killing_an_unknown_process_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.killProcess("no-such-process")).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void getting_an_unknown_process_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.getProcess("no-such-process")).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void logs_of_an_unknown_process_are_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.logs("no-such-process")).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void streaming_logs_of_an_unknown_process_throws_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.streamLogs("no-such-process", new RecordingLogListener()))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void process_in_a_missing_working_directory_is_unprocessable() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.exec(echo("x").withWorkingDir("/no/such/dir")))
                .isInstanceOfSatisfying(SandgateException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNPROCESSABLE));
    }

    @Test
    void process_runs_in_an_existing_working_directory() {
        DataPlane data = newDataPlane();
        data.makeDirectory(path("/srv/app"), "0755");

        ProcessInfo done = data.exec(echo("here").withWorkingDir("/srv/app"));

        assertThat(done.workingDir()).isEqualTo(path("/srv/app"));
        assertThat(done.status()).isEqualTo(ProcessStatus.COMPLETED);
    }

    @Test
    void log_stream_of_a_finished_process_replays_its_output_then_ends() {
        DataPlane data = newDataPlane();
        ProcessInfo done = data.exec(echo("replayed"));
        RecordingLogListener listener = new RecordingLogListener();

        LogSubscription subscription = data.streamLogs(done.pid(), listener);
        try {
            Eventually.await("log stream ended", PATIENCE, listener::ended);
        } finally {
            subscription.cancel();
        }

        assertThat(listener.lines()).containsExactly(LogLine.stdout("replayed"));
        assertThat(listener.failed()).isFalse();
    }

    @Test
    void log_stream_of_a_running_process_ends_when_it_is_killed() {
        DataPlane data = newDataPlane();
        ProcessInfo started = data.exec(sleeper());
        RecordingLogListener listener = new RecordingLogListener();

        LogSubscription subscription = data.streamLogs(started.pid(), listener);
        try {
            assertThat(listener.ended()).isFalse();
            data.killProcess(started.pid());
            Eventually.await("log stream ended", PATIENCE, listener::ended);
        } finally {
            subscription.cancel();
        }
    }

    @Test
    void log_callbacks_arrive_on_a_gateway_thread() {
        DataPlane data = newDataPlane();
        ProcessInfo done = data.exec(echo("threaded"));
        RecordingLogListener listener = new RecordingLogListener();

        LogSubscription subscription = data.streamLogs(done.pid(), listener);
        try {
            Eventually.await("log stream ended", PATIENCE, listener::ended);
        } finally {
            subscription.cancel();
        }

        assertThat(listener.threads()).isNotEmpty().doesNotContain(Thread.currentThread());
    }

    @Test
    void wait_returns_the_process_once_it_finished() {
        SandboxInstance sandbox = newInstance();
        ProcessInfo started = sandbox.process().exec(ProcessSpec.of("echo awaited"));

        ProcessInfo finished = sandbox.process().wait(started.pid(), PATIENCE);

        assertThat(finished.status()).isEqualTo(ProcessStatus.COMPLETED);
    }

    @Test
    void a_process_started_with_stdin_reads_what_is_written_and_ends_when_its_input_closes() {
        SandboxInstance sandbox = newInstance();
        ProcessInfo cat = sandbox.process().exec(ProcessSpec.of("cat").withStdin(true));

        sandbox.process().writeStdin(cat.pid(), "first line\n");
        sandbox.process().writeStdin(cat.pid(), utf8("second line\n"));
        sandbox.process().closeStdin(cat.pid());
        ProcessInfo finished = sandbox.process().wait(cat.pid(), PATIENCE);

        assertThat(finished.status()).isEqualTo(ProcessStatus.COMPLETED);
        assertThat(sandbox.process().logs(cat.pid()).stdout()).isEqualTo("first line\nsecond line\n");
    }

    @Test
    void writing_to_a_process_without_stdin_is_invalid_and_to_an_unknown_one_not_found() {
        DataPlane data = newDataPlane();
        ProcessInfo sleeping = data.exec(sleeper());

        assertThatThrownBy(() -> data.writeStdin(sleeping.pid(), utf8("x")))
                .isInstanceOf(SandgateException.InvalidRequest.class);
        assertThatThrownBy(() -> data.writeStdin("no-such-process", utf8("x")))
                .isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> data.closeStdin("no-such-process"))
                .isInstanceOf(SandgateException.NotFound.class);
        data.killProcess(sleeping.pid());
    }

    @Test
    void writing_to_a_closed_input_is_invalid_and_closing_twice_is_fine() {
        DataPlane data = newDataPlane();
        ProcessInfo cat = data.exec(ProcessSpec.of("cat").withStdin(true));
        data.closeStdin(cat.pid());

        data.closeStdin(cat.pid());
        assertThatThrownBy(() -> data.writeStdin(cat.pid(), utf8("late")))
                .isInstanceOfAny(SandgateException.InvalidRequest.class, SandgateException.NotFound.class);
    }

    @Test
    void find_lists_the_entries_below_a_path_that_match_in_name_order() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/proj/src/b.js"), utf8("b"), Optional.empty());
        data.writeFile(path("/proj/src/a.js"), utf8("a"), Optional.empty());
        data.writeFile(path("/proj/readme.md"), utf8("r"), Optional.empty());
        data.writeFile(path("/proj/node_modules/dep.js"), utf8("d"), Optional.empty());

        List<dev.sandgate.domain.FindMatch> js = data.find(path("/proj"), new dev.sandgate.domain.FindQuery(
                Optional.of("file"), List.of("*.js"), 10, List.of("node_modules"), false));
        List<dev.sandgate.domain.FindMatch> dirs = data.find(path("/proj"), new dev.sandgate.domain.FindQuery(
                Optional.of("directory"), List.of(), 10, List.of(), false));

        assertThat(js).extracting(m -> m.path().value()).containsExactly("/proj/src/a.js", "/proj/src/b.js");
        assertThat(dirs).extracting(m -> m.path().value() + (m.directory() ? "/" : ""))
                .containsExactly("/proj/node_modules/", "/proj/src/");
    }

    @Test
    void grep_finds_the_lines_holding_a_text_with_their_line_and_column() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/proj/main.js"), utf8("const a = 1;\nconsole.log(\"Find Me\");\n"), Optional.empty());
        data.writeFile(path("/proj/other.js"), utf8("nothing\n"), Optional.empty());

        List<dev.sandgate.domain.GrepMatch> found = data.grep(path("/proj"), dev.sandgate.domain.GrepQuery.of("find me"));

        assertThat(found).hasSize(1);
        assertThat(found.get(0).path()).isEqualTo(path("/proj/main.js"));
        assertThat(found.get(0).line()).isEqualTo(2);
        assertThat(found.get(0).column()).isEqualTo(14);
        assertThat(found.get(0).text()).isEqualTo("console.log(\"Find Me\");");
    }

    @Test
    void searching_a_missing_path_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.grep(path("/nowhere"), dev.sandgate.domain.GrepQuery.of("x")))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void a_sandbox_keeps_its_external_id_and_display_name_and_is_found_by_the_id() {
        String externalId = "customer-42/" + uniqueSandboxName();
        SandboxSpec spec = SandboxSpec.of(uniqueSandboxName()).withExternalId(externalId).withDisplayName("Demo box");
        gateway.createSandbox(SandboxSpec.of(uniqueSandboxName()));
        gateway.createSandbox(spec);

        SandboxInstance found = Sandgate.create(gateway, clock).sandboxes().getByExternalId(externalId);

        assertThat(found.name()).isEqualTo(spec.name());
        assertThat(gateway.findSandbox(spec.name()).orElseThrow().spec().externalId()).contains(externalId);
        assertThat(gateway.findSandbox(spec.name()).orElseThrow().spec().displayName()).contains("Demo box");
        assertThatThrownBy(() -> Sandgate.create(gateway, clock).sandboxes().getByExternalId("no-such-" + externalId))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void watch_reports_what_is_created_and_removed_below_a_directory_but_not_in_ignored_ones() {
        DataPlane data = newDataPlane();
        data.makeDirectory(path("/w/sub"), "0755");
        data.makeDirectory(path("/w/ignored"), "0755");
        List<dev.sandgate.domain.FileEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.sandgate.ports.LogSubscription watch = data.watch(path("/w"), List.of("ignored"), events::add);
        try {
            data.writeFile(path("/w/ignored/skip.txt"), utf8("no"), Optional.empty());
            data.writeFile(path("/w/sub/a.txt"), utf8("one"), Optional.empty());
            Eventually.await("an event for /w/sub/a.txt", PATIENCE, () -> events.stream().anyMatch(e ->
                    e.entry().equals(path("/w/sub/a.txt")) && (e.op().equals("CREATE") || e.op().equals("WRITE"))));
            data.remove(path("/w/sub/a.txt"), false);
            Eventually.await("a REMOVE of /w/sub/a.txt", PATIENCE, () -> events.stream().anyMatch(e ->
                    e.entry().equals(path("/w/sub/a.txt")) && e.op().equals("REMOVE")));

            assertThat(events).noneMatch(e -> e.entry().value().startsWith("/w/ignored/"));
        } finally {
            watch.cancel();
        }
    }

    @Test
    void watching_a_missing_directory_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.watch(path("/nowhere"), List.of(), e -> { }))
                .isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void processes_of_a_deleted_sandbox_are_gone() {
        Sandbox sandbox = newSandbox();
        DataPlane data = gateway.dataPlane(sandbox.name());
        data.exec(sleeper());

        gateway.deleteSandbox(sandbox.name());

        assertThatThrownBy(() -> gateway.dataPlane(sandbox.name()).listProcesses())
                .isInstanceOf(SandgateException.NotFound.class);
    }

    // ---------------------------------------------------------------- files

    @Test
    void written_text_is_read_back() {
        DataPlane data = newDataPlane();

        data.writeFile(path("/app/hello.txt"), utf8("héllo, wörld"), Optional.empty());

        assertThat(data.readFile(path("/app/hello.txt")).text()).isEqualTo("héllo, wörld");
    }

    @Test
    void written_bytes_are_read_back_unchanged() {
        DataPlane data = newDataPlane();
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }

        data.writeFile(path("/bin/all.bin"), every, Optional.empty());

        assertThat(data.readFile(path("/bin/all.bin")).bytes()).isEqualTo(every);
    }

    @Test
    void written_file_reports_its_size_and_default_permissions() {
        DataPlane data = newDataPlane();

        FileEntry entry = data.writeFile(path("/sized.txt"), utf8("12345"), Optional.empty());

        assertThat(entry.directory()).isFalse();
        assertThat(entry.size()).isEqualTo(5);
        assertThat(Integer.parseInt(data.stat(path("/sized.txt")).permissions(), 8)).isEqualTo(0644);
    }

    @Test
    void writing_a_file_again_replaces_its_content() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/twice.txt"), utf8("a longer first version"), Optional.empty());

        data.writeFile(path("/twice.txt"), utf8("short"), Optional.empty());

        assertThat(data.readFile(path("/twice.txt")).text()).isEqualTo("short");
    }

    @Test
    void writing_a_file_creates_its_parent_directories() {
        DataPlane data = newDataPlane();

        data.writeFile(path("/deep/er/file.txt"), utf8("x"), Optional.empty());

        assertThat(data.stat(path("/deep/er")).directory()).isTrue();
    }

    @Test
    void directory_listing_separates_files_and_subdirectories() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/dir/b.txt"), utf8("b"), Optional.empty());
        data.writeFile(path("/dir/a.txt"), utf8("a"), Optional.empty());
        data.makeDirectory(path("/dir/sub"), "0755");
        data.writeFile(path("/dir/sub/inner.txt"), utf8("not listed"), Optional.empty());

        DirectoryListing listing = data.listDirectory(path("/dir"));

        assertThat(listing.files()).extracting(FileEntry::name).containsExactly("a.txt", "b.txt");
        assertThat(listing.subdirectories()).extracting(FileEntry::name).containsExactly("sub");
        assertThat(listing.files()).extracting(FileEntry::path).containsExactly(path("/dir/a.txt"), path("/dir/b.txt"));
    }

    @Test
    void made_directory_is_a_directory() {
        DataPlane data = newDataPlane();

        data.makeDirectory(path("/made/here"), "0755");

        assertThat(data.stat(path("/made/here")).directory()).isTrue();
        assertThat(data.listDirectory(path("/made/here")).files()).isEmpty();
    }

    @Test
    void making_an_existing_directory_again_is_no_error() {
        DataPlane data = newDataPlane();
        data.makeDirectory(path("/again"), "0755");

        FileEntry entry = data.makeDirectory(path("/again"), "0755");

        assertThat(entry.directory()).isTrue();
    }

    @Test
    void removed_file_is_gone() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/gone.txt"), utf8("x"), Optional.empty());

        data.remove(path("/gone.txt"), false);

        assertThatThrownBy(() -> data.stat(path("/gone.txt"))).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void removing_a_non_empty_directory_without_recursive_is_refused_and_keeps_it() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/full/file.txt"), utf8("x"), Optional.empty());

        assertThatThrownBy(() -> data.remove(path("/full"), false))
                .isInstanceOf(SandgateException.InvalidRequest.class);
        assertThat(data.readFile(path("/full/file.txt")).text()).isEqualTo("x");
    }

    @Test
    void removing_an_empty_directory_without_recursive_works() {
        DataPlane data = newDataPlane();
        data.makeDirectory(path("/empty"), "0755");

        data.remove(path("/empty"), false);

        assertThatThrownBy(() -> data.stat(path("/empty"))).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void removing_a_directory_recursively_removes_its_tree() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/tree/a/b.txt"), utf8("x"), Optional.empty());

        data.remove(path("/tree"), true);

        assertThatThrownBy(() -> data.stat(path("/tree/a/b.txt"))).isInstanceOf(SandgateException.NotFound.class);
        assertThatThrownBy(() -> data.stat(path("/tree"))).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void removing_the_root_is_refused() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.remove(SandboxPath.ROOT, true)).isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void reading_a_missing_file_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.readFile(path("/missing.txt"))).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void listing_a_missing_directory_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.listDirectory(path("/missing"))).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void removing_a_missing_path_is_not_found() {
        DataPlane data = newDataPlane();

        assertThatThrownBy(() -> data.remove(path("/missing"), true)).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void reading_a_directory_as_a_file_is_an_invalid_request() {
        DataPlane data = newDataPlane();
        data.makeDirectory(path("/a-dir"), "0755");

        assertThatThrownBy(() -> data.readFile(path("/a-dir"))).isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void listing_a_file_as_a_directory_is_an_invalid_request() {
        DataPlane data = newDataPlane();
        data.writeFile(path("/a-file.txt"), utf8("x"), Optional.empty());

        assertThatThrownBy(() -> data.listDirectory(path("/a-file.txt")))
                .isInstanceOf(SandgateException.InvalidRequest.class);
    }

    @Test
    void files_of_one_sandbox_are_not_seen_in_another() {
        DataPlane one = newDataPlane();
        DataPlane two = newDataPlane();
        one.writeFile(path("/private.txt"), utf8("mine"), Optional.empty());

        assertThatThrownBy(() -> two.readFile(path("/private.txt"))).isInstanceOf(SandgateException.NotFound.class);
    }
}
