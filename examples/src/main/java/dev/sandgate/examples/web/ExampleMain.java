package dev.sandgate.examples.web;

import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.app.ConfigurationException;
import dev.sandgate.app.Invocation;
import dev.sandgate.app.SandgateApp;
import dev.sandgate.app.SettingsLoader;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code java -jar examples/target/sandgate-example.jar}: the complete example in one process. It starts the broker
 * (the same settings as {@code sandgate.jar}: flags, {@code SANDGATE_*} variables, a properties file), installs the
 * dev app built beside the jar into the {@code blaxel/prod-base:latest} template of the broker's data directory
 * ({@link DevServerImage}), starts the backend that alone holds the API key and talks to the broker over HTTP like
 * any client, and prints {@code example page at http://127.0.0.1:PORT/} once the page can be opened.
 * {@code EXAMPLE_PORT} (default 3001, 0 = a free port), {@code EXAMPLE_APP_PORT} (the dev server's port, default
 * 3000), {@code EXAMPLE_SANDBOX} (default {@code example}) and {@code EXAMPLE_DEV_APP} (the built dev app, default
 * {@code devapp/} beside the jar) configure the example itself.
 */
public final class ExampleMain implements AutoCloseable {
    private final SandgateApp broker;
    private final ExampleServer server;

    private ExampleMain(SandgateApp broker, ExampleServer server) {
        this.broker = broker;
        this.server = server;
    }

    public static void main(String[] args) throws InterruptedException {
        ExampleMain example;
        try {
            example = start(List.of(args), System.getenv(), SettingsLoader.forThisProcess(), System.out);
        } catch (ConfigurationException | IllegalArgumentException e) {
            System.err.println("sandgate-example: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("sandgate-example: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (example == null) {
            return; // --help was printed
        }
        Runtime.getRuntime().addShutdownHook(new Thread(example::close, "sandgate-example-shutdown"));
        example.broker.awaitTermination();
    }

    /**
     * Starts the broker from {@code args} and {@code env}, then the example; prints the page's URL on {@code out}.
     * Returns {@code null} after printing the usage for {@code --help}.
     */
    public static ExampleMain start(List<String> args, Map<String, String> env, SettingsLoader loader,
                                    PrintStream out) {
        Objects.requireNonNull(env, "env must not be null");
        ExampleSettings example = ExampleSettings.fromEnv(env);
        Invocation invocation = loader.load(args, env);
        if (invocation instanceof Invocation.Help help) {
            out.print(help.usage());
            out.println("\nThe example also reads EXAMPLE_PORT (default 3001, 0 = a free port), EXAMPLE_APP_PORT "
                    + "(default 3000), EXAMPLE_SANDBOX (default example) and EXAMPLE_DEV_APP (the built dev app, "
                    + "default devapp/ beside the jar).");
            out.flush();
            return null;
        }
        Invocation.Run run = (Invocation.Run) invocation;
        DevServerImage.install(run.settings().dataDir(), DevServerImage.builtApp(env));
        SandgateApp broker = SandgateApp.start(run.settings());
        if (broker.refusesSessions()) {
            out.println("sandgate-example: this broker refuses sessions, because it cannot isolate sandbox processes "
                    + "here, and the page works on a session only: install bubblewrap, or start the example with "
                    + "--allow-unisolated-sessions (the page's session then runs code on this machine as you)");
            out.flush();
        }
        try {
            ExampleServer server = ExampleServer.start(backendFor(broker, example), example.port());
            out.println("example page at " + server.pageUrl());
            out.flush();
            return new ExampleMain(broker, server);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** The backend: a client of the broker over HTTP, with the broker's API key. */
    static SandboxBackend backendFor(SandgateApp broker, ExampleSettings example) {
        SandgateClient client = SandgateClient.builder()
                .baseUrl(broker.publicUrl() + "/v0")
                .workspace(broker.settings().workspace())
                .apiKey(broker.apiKey().value())
                .build();
        return new SandboxBackend(client.gateway(), example.sandbox(), example.appPort(), Clock.systemUTC());
    }

    public ExampleServer server() {
        return server;
    }

    public SandgateApp broker() {
        return broker;
    }

    /** Stops the example server, then the broker (and the sandbox's processes). */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            broker.close();
        }
    }
}
