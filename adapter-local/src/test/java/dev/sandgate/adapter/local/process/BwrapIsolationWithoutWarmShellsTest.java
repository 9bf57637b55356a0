package dev.sandgate.adapter.local.process;

/** Every test of {@link BwrapIsolationTest}, with warm shells off: each process is spawned for its command. */
class BwrapIsolationWithoutWarmShellsTest extends BwrapIsolationTest {
    @Override
    boolean warmShells() {
        return false;
    }
}
