package dev.sandgate.ports;

import dev.sandgate.domain.Session;

/**
 * Opens the data plane a session grants, using only the session's URL and token: never an API key, never the
 * control plane. Fails with {@code Unauthorized} or {@code Expired} (at connect or on first use) when the
 * session is not valid.
 */
@FunctionalInterface
public interface SessionConnector {
    DataPlane connect(Session session);
}
