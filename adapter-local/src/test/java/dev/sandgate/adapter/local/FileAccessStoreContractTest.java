package dev.sandgate.adapter.local;

import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.contract.AccessStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store keeps the behaviour every access store must have; its raw data is its directory. */
class FileAccessStoreContractTest extends AccessStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected AccessStore newStore() {
        return FileAccessStore.open(dataDir.resolve("access"), dataDir.resolve("secret.key"), true);
    }

    @Override
    protected String rawData(AccessStore store) throws Exception {
        return FileAccessStoreTest.allBytes(dataDir.resolve("access"));
    }
}
