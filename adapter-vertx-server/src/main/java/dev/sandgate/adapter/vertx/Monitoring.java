package dev.sandgate.adapter.vertx;

import dev.sandgate.ports.Readiness;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What operators see of a broker: its readiness checks ({@code /readyz}) and, when kept, its metrics.
 *
 * @param readiness every condition the broker needs to serve; none means ready once serving
 * @param metrics   the meters to move; empty keeps none (and costs nothing)
 */
public record Monitoring(List<Readiness> readiness, Optional<BrokerMetrics> metrics) {
    public Monitoring {
        readiness = List.copyOf(Objects.requireNonNull(readiness, "readiness must not be null"));
        Objects.requireNonNull(metrics, "metrics must not be null");
        if (readiness.stream().map(Readiness::name).distinct().count() != readiness.size()) {
            throw new IllegalArgumentException("readiness checks must have distinct names");
        }
    }

    /** No check, no metrics. */
    public static Monitoring none() {
        return new Monitoring(List.of(), Optional.empty());
    }

    BrokerMeters meters() {
        return metrics.<BrokerMeters>map(m -> m).orElse(BrokerMeters.NONE);
    }
}
