package dev.sandgate.app;

import java.nio.file.Path;

/** Settings as the program would read them with no flags and no environment, over a test's data directory. */
final class TestSettings {
    private TestSettings() {
    }

    static AppSettings defaults(Path dataDir) {
        return AppSettings.defaults(dataDir);
    }
}
