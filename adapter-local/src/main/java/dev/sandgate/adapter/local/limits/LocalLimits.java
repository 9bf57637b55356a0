package dev.sandgate.adapter.local.limits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What the local runtime enforces per sandbox, as far as this host allows: its memory, process count and CPU through
 * {@link Cgroups}, its disk through a {@link DiskQuota}. Resolved once per gateway; each mechanism that is missing is
 * named in a WARN at start-up.
 */
public final class LocalLimits {
    private final SandboxLimits settings;
    private final Cgroups cgroups;
    private final DiskQuota disk;

    private LocalLimits(SandboxLimits settings, Cgroups cgroups, DiskQuota disk) {
        this.settings = settings;
        this.cgroups = cgroups;
        this.disk = disk;
    }

    /** Finds the host's control groups and probes loop-mounted images, for the broker over {@code dataDir}. */
    public static LocalLimits resolve(SandboxLimits settings, Path dataDir) {
        Objects.requireNonNull(settings, "settings must not be null");
        Objects.requireNonNull(dataDir, "dataDir must not be null");
        return new LocalLimits(settings, Cgroups.detect(brokerId(dataDir), settings),
                DiskQuota.resolve(settings.diskQuotaBytes()));
    }

    /** A short name for the broker over {@code dataDir}, the same on every start. */
    static String brokerId(Path dataDir) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public SandboxLimits settings() {
        return settings;
    }

    public Cgroups cgroups() {
        return cgroups;
    }

    public DiskQuota disk() {
        return disk;
    }

    /** The group of a sandbox with {@code memoryMb} of memory (made now, limits set). */
    public SandboxCgroup cgroup(String sandbox, int memoryMb) {
        return cgroups.create(sandbox, memoryMb * 1024L * 1024L);
    }

    /** Removes the broker's own groups; the sandboxes' groups must be removed first. */
    public void close() {
        cgroups.close();
    }

    @Override
    public String toString() {
        return "LocalLimits[" + cgroups.describe() + ", " + disk + "]";
    }
}
