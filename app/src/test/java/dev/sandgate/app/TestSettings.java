package dev.sandgate.app;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Settings as the program would read them with no flags and no environment, over a test's data directory. */
final class TestSettings {
    private TestSettings() {
    }

    static AppSettings defaults(Path dataDir) {
        Invocation.Run run = (Invocation.Run) SettingsLoader.create(dataDir, dataDir)
                .load(List.of("--data-dir=" + dataDir), Map.of());
        return run.settings();
    }
}
