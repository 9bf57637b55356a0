package dev.sandgate.ports;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One named condition the broker needs before it can serve (a load balancer's readiness probe asks every one): the
 * shared store reachable, later this node registered. Each part that has such a condition contributes a check; the
 * broker answers ready only when all of them are.
 *
 * <p>{@link #check()} may block briefly (a round trip to Redis) and is called off the event loop; it reports a
 * failure as a {@link Result}, never by throwing. A check's name and reason are shown to anyone who can reach the
 * probe, so they say what is down, never a secret, an address with credentials or a record.
 */
public interface Readiness {
    /** A short lowercase name such as {@code store} or {@code node}. */
    String name();

    /** Whether the condition holds now. */
    Result check();

    /** A check's outcome: ready, or not with a one-line reason. */
    record Result(boolean ready, Optional<String> reason) {
        public Result {
            Objects.requireNonNull(reason, "reason must not be null");
            if (ready && reason.isPresent()) {
                throw new IllegalArgumentException("a ready result has no reason");
            }
            reason.ifPresent(r -> {
                if (r.isBlank() || r.length() > 500 || r.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("reason must be one line of 1-500 characters");
                }
            });
        }

        public static Result passing() {
            return new Result(true, Optional.empty());
        }

        public static Result failing(String reason) {
            return new Result(false, Optional.of(Objects.requireNonNull(reason, "reason must not be null")));
        }
    }

    /** A check named {@code name} that asks {@code check}. */
    static Readiness of(String name, Supplier<Result> check) {
        Objects.requireNonNull(check, "check must not be null");
        String checked = checkName(name);
        return new Readiness() {
            @Override
            public String name() {
                return checked;
            }

            @Override
            public Result check() {
                return check.get();
            }
        };
    }

    /** A check that always holds: a part that is ready once it exists (the file store once loaded). */
    static Readiness always(String name) {
        Result ready = Result.passing();
        return of(name, () -> ready);
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("readiness check name '" + name
                    + "' is invalid: use 1-32 lowercase letters, digits or '-'");
        }
        return name;
    }
}
