package dev.sandgate.app;

import java.util.List;
import java.util.Objects;

/** What the command line asks for: run the broker with settings, or print the usage. */
public sealed interface Invocation {

    /** Run with these settings; {@code warnings} are things worth logging (unknown SANDGATE_* variables). */
    record Run(AppSettings settings, List<String> warnings) implements Invocation {
        public Run {
            Objects.requireNonNull(settings, "settings must not be null");
            warnings = List.copyOf(warnings);
        }
    }

    /** {@code --help}: print the usage and exit 0. */
    record Help(String usage) implements Invocation {
        public Help {
            Objects.requireNonNull(usage, "usage must not be null");
        }
    }
}
