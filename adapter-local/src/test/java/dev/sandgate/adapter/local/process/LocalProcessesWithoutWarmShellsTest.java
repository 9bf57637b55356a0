package dev.sandgate.adapter.local.process;

/** Every test of {@link LocalProcessesTest}, with warm shells off: each process is spawned for its command. */
class LocalProcessesWithoutWarmShellsTest extends LocalProcessesTest {
    @Override
    boolean warmShells() {
        return false;
    }
}
