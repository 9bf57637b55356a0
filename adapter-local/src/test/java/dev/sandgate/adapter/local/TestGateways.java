package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.process.Isolation;
import dev.sandgate.adapter.local.process.IsolationMode;
import java.nio.file.Path;
import java.time.Clock;

/** Gateways over a test's own data directory, sharing one isolation probe per JVM (probing bubblewrap is slow). */
final class TestGateways {
    private static Isolation isolation;

    private TestGateways() {
    }

    static synchronized Isolation isolation() {
        if (isolation == null) {
            isolation = Isolation.resolve(IsolationMode.AUTO);
        }
        return isolation;
    }

    static LocalSettings settings(Path dataDir) {
        return LocalSettings.defaults(dataDir);
    }

    static LocalSandboxGateway open(LocalSettings settings) {
        FileAccessStore access = FileAccessStore.open(settings.accessDir(), settings.secretKeyFile(),
                settings.durableWrites());
        return new LocalSandboxGateway(settings, access, isolation(), Clock.systemUTC());
    }

    static LocalSandboxGateway open(Path dataDir) {
        return open(settings(dataDir));
    }
}
