package dev.sandgate.app;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar sandgate.jar [--setting=value ...]}: reads the settings, starts the broker, prints
 * {@code listening on http://HOST:PORT} on standard output once it serves, and shuts down cleanly on SIGTERM or
 * Ctrl-C. Exit status 2 for a configuration error, 1 when the broker cannot start. Logs go to standard error.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    /** The outcome of {@link #launch}: an exit status, and the running program when it started. */
    public record Launch(int status, Optional<SandgateApp> app) {
        public Launch {
            Objects.requireNonNull(app, "app must not be null");
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Launch launch = launch(List.of(args), System.getenv(), SettingsLoader.forThisProcess(), System.out, System.err,
                app -> Runtime.getRuntime().addShutdownHook(new Thread(app::close, "sandgate-shutdown")));
        if (launch.app().isPresent()) {
            launch.app().get().awaitTermination();
            return;
        }
        System.exit(launch.status());
    }

    /** What to do once the program started, before it says it is listening (main: install the shutdown hook). */
    @FunctionalInterface
    public interface StartHook {
        void started(SandgateApp app);
    }

    /**
     * Parses {@code args} and {@code env}, then prints the usage ({@code --help}), reports a configuration error on
     * {@code err} (status 2), or starts the program and prints the listening line on {@code out}.
     */
    public static Launch launch(List<String> args, Map<String, String> env, SettingsLoader loader, PrintStream out,
                                PrintStream err, StartHook hook) {
        Invocation invocation;
        try {
            invocation = loader.load(args, env);
        } catch (ConfigurationException e) {
            err.println("sandgate: " + e.getMessage());
            return new Launch(ConfigurationException.EXIT_STATUS, Optional.empty());
        }
        if (invocation instanceof Invocation.Help help) {
            out.print(help.usage());
            out.flush();
            return new Launch(0, Optional.empty());
        }
        Invocation.Run run = (Invocation.Run) invocation;
        run.warnings().forEach(LOG::warn);
        SandgateApp app;
        try {
            app = SandgateApp.start(run.settings());
        } catch (ConfigurationException | IllegalArgumentException e) {
            err.println("sandgate: " + e.getMessage());
            return new Launch(ConfigurationException.EXIT_STATUS, Optional.empty());
        } catch (IllegalStateException | UncheckedIOException e) {
            err.println("sandgate: cannot start: " + e.getMessage());
            return new Launch(1, Optional.empty());
        } catch (RuntimeException e) {
            LOG.error("cannot start", e);
            err.println("sandgate: cannot start: " + e);
            return new Launch(1, Optional.empty());
        }
        hook.started(app);
        out.println("listening on " + app.listenUrl());
        out.flush();
        return new Launch(0, Optional.of(app));
    }
}
