package dev.sandgate.app;

import dev.sandgate.adapter.local.process.IsolationMode;
import dev.sandgate.adapter.vertx.BrokerSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the broker refuses session tokens, and why. A session runs code in its sandbox; where the sandbox's
 * processes are not isolated from the host (isolation {@code none}, chosen or fallen back to), that code runs as the
 * broker's user with everything it can read, the API key and the data directory included, so a session would be the
 * host. There, only the API-key holder may use the sandbox API, unless the operator says otherwise with
 * {@link Setting#ALLOW_UNISOLATED_SESSIONS}. Each gateway module provides it: the local one from the isolation in
 * force; the remote one never refuses (its upstream runs the processes and answers for their isolation).
 *
 * @param reason the reason session URLs answer with 403 (see {@link BrokerSettings#sessionRefusal()}); empty when
 *               sessions are served
 */
public record SessionRefusal(Optional<String> reason) {
    public SessionRefusal {
        Objects.requireNonNull(reason, "reason must not be null");
    }

    /** Sessions are served. */
    public static SessionRefusal none() {
        return new SessionRefusal(Optional.empty());
    }

    /** Refused under isolation {@code none} unless {@code allowed}; served otherwise. */
    public static SessionRefusal forIsolation(IsolationMode inForce, boolean allowed) {
        Objects.requireNonNull(inForce, "inForce must not be null");
        if (inForce != IsolationMode.NONE || allowed) {
            return none();
        }
        return new SessionRefusal(Optional.of("session tokens are refused: process isolation is off on this broker "
                + "(isolation 'none'), so a session would run code on the host as the broker's user; only the API "
                + "key may use the sandbox API. The operator can install bubblewrap, or serve sessions anyway with "
                + Setting.ALLOW_UNISOLATED_SESSIONS.flag() + " (" + Setting.ALLOW_UNISOLATED_SESSIONS.env()
                + "=true)"));
    }

    /** {@code settings} refusing sessions when this says so. */
    public BrokerSettings applyTo(BrokerSettings settings) {
        return reason.map(r -> settings.toBuilder().sessionRefusal(Optional.of(r)).build()).orElse(settings);
    }
}
