package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of a renewal in place ({@link Preview#renewedExpiry}) and of revoke-all ({@link SessionRevocations}). */
class SessionRenewalAndRevocationTest {
    private static final Instant NOW = Instant.parse("2026-12-02T09:00:00Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofHours(1));
    private static final Instant MAX = NOW.plus(Duration.ofHours(8));

    private static Preview session(Optional<Instant> max, Optional<String> subject, Instant createdAt) {
        SessionPolicy.Builder policy = SessionPolicy.builder().maxExpiresAt(max);
        subject.ifPresent(policy::subject);
        return new Preview(SandboxName.of("box"), new PreviewSpec(PreviewName.of("session-1"), Port.SANDBOX_API, false,
                HttpHeaders.NONE, HttpHeaders.NONE, Optional.of(EXPIRES), policy.build()), "http://h/s/box/session-1",
                createdAt);
    }

    @Test
    void a_renewal_is_clamped_to_the_bound_and_never_moves_the_expiry_back() {
        Preview p = session(Optional.of(MAX), Optional.empty(), NOW);

        assertThat(p.renewedExpiry(NOW.plus(Duration.ofHours(2)), NOW)).isEqualTo(NOW.plus(Duration.ofHours(2)));
        assertThat(p.renewedExpiry(NOW.plus(Duration.ofDays(3)), NOW)).isEqualTo(MAX);
        assertThat(p.renewedExpiry(NOW.plusSeconds(60), NOW)).isEqualTo(EXPIRES);
    }

    @Test
    void an_unbounded_an_expired_or_a_non_session_preview_or_a_past_instant_is_refused() {
        assertThatThrownBy(() -> session(Optional.empty(), Optional.empty(), NOW).renewedExpiry(MAX, NOW))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("not renewable in place")
                .extracting(e -> ((SandgateException) e).code()).isEqualTo(ErrorCode.UNPROCESSABLE);
        assertThatThrownBy(() -> session(Optional.of(MAX), Optional.empty(), NOW).renewedExpiry(MAX, EXPIRES))
                .isInstanceOf(SandgateException.NotFound.class).hasMessageContaining("expired");
        assertThatThrownBy(() -> session(Optional.of(MAX), Optional.empty(), NOW).renewedExpiry(NOW, NOW))
                .isInstanceOf(SandgateException.InvalidRequest.class).hasMessageContaining("after now");
        Preview app = new Preview(SandboxName.of("box"), PreviewSpec.privatePort("web", 3000), "http://h/p", NOW);
        assertThatThrownBy(() -> app.renewedExpiry(MAX, NOW)).isInstanceOf(SandgateException.NotFound.class);
    }

    @Test
    void a_revocation_covers_sessions_created_at_or_before_it_of_its_subject_and_only_moves_forward() {
        SessionRevocations r = SessionRevocations.NONE.with(Optional.of(SessionSubject.of("user-42")), NOW)
                .with(Optional.of(SessionSubject.of("user-42")), NOW.minusSeconds(60));

        assertThat(r.covers(session(Optional.empty(), Optional.of("user-42"), NOW))).isTrue();
        assertThat(r.covers(session(Optional.empty(), Optional.of("user-42"), NOW.plusNanos(1)))).isFalse();
        assertThat(r.covers(session(Optional.empty(), Optional.of("user-7"), NOW))).isFalse();
        assertThat(r.covers(session(Optional.empty(), Optional.empty(), NOW))).isFalse();
        SessionRevocations all = r.with(Optional.empty(), NOW.minusSeconds(1));
        assertThat(all.covers(session(Optional.empty(), Optional.empty(), NOW.minusSeconds(1)))).isTrue();
        assertThat(all.covers(new Preview(SandboxName.of("box"), PreviewSpec.privatePort("web", 3000), "http://h/p",
                NOW.minusSeconds(5)))).as("an application preview is no session").isFalse();
    }
}
