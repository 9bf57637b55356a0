package dev.sandgate.adapter.local;

import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.contract.AccessStoreContract;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store keeps the behaviour every access store must have; its raw data is its directory. */
class FileAccessStoreContractTest extends AccessStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected AccessStore newStore() {
        return FileAccessStore.open(dataDir.resolve("access"), dataDir.resolve("secret.key"), true);
    }

    /** Strips every {@code sandgate} object from the files at rest, then opens the directory again. */
    @Override
    protected AccessStore asWrittenBeforeScopes(AccessStore store) throws Exception {
        Path access = dataDir.resolve("access");
        try (Stream<Path> files = Files.walk(access)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                String old = text.replaceAll(",?\"sandgate\":\\{\"scopes\":\\{[^{}]*\\}\\}", "");
                if (!old.equals(text)) {
                    Files.writeString(f, old, StandardCharsets.ISO_8859_1);
                }
            }
        }
        assertThat(FileAccessStoreTest.allBytes(access)).doesNotContain("sandgate").contains("session-1");
        return FileAccessStore.open(access, dataDir.resolve("secret.key"), true);
    }

    @Override
    protected String rawData(AccessStore store) throws Exception {
        return FileAccessStoreTest.allBytes(dataDir.resolve("access"));
    }
}
