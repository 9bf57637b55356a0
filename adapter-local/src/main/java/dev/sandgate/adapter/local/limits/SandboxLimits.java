package dev.sandgate.adapter.local.limits;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The limits every local sandbox gets besides its memory (which comes from the sandbox's own {@code memory}, in MB).
 *
 * @param maxProcesses   how many processes (and threads: the kernel counts tasks) the sandbox may hold at once,
 *                       its warm shell and bubblewrap's own included; 1 to {@value #MAX_PROCESSES_LIMIT}
 * @param cpus           how many CPU cores' worth of time the sandbox may use (0.5: half of one core), enforced as a
 *                       CFS quota; empty: no quota, and sandboxes share the CPU by equal weight
 * @param diskQuotaBytes the size of the file system each new sandbox's files live on; 0: no quota
 */
public record SandboxLimits(int maxProcesses, OptionalDouble cpus, long diskQuotaBytes) {
    public static final int DEFAULT_MAX_PROCESSES = 512;
    public static final int MAX_PROCESSES_LIMIT = 4_194_304;
    public static final long DEFAULT_DISK_QUOTA_BYTES = 10L * 1024 * 1024 * 1024;
    /** The smallest disk quota: an ext4 file system smaller than this has barely room for its own metadata. */
    public static final long MIN_DISK_QUOTA_BYTES = 4L * 1024 * 1024;
    public static final double MIN_CPUS = 0.01;
    public static final double MAX_CPUS = 1024;

    public SandboxLimits {
        Objects.requireNonNull(cpus, "cpus must not be null");
        if (maxProcesses < 1 || maxProcesses > MAX_PROCESSES_LIMIT) {
            throw new IllegalArgumentException("maxProcesses " + maxProcesses + " is out of range 1-"
                    + MAX_PROCESSES_LIMIT);
        }
        if (cpus.isPresent() && !(cpus.getAsDouble() >= MIN_CPUS && cpus.getAsDouble() <= MAX_CPUS)) {
            throw new IllegalArgumentException("cpus " + cpus.getAsDouble() + " is out of range " + MIN_CPUS + "-"
                    + (int) MAX_CPUS);
        }
        if (diskQuotaBytes != 0 && diskQuotaBytes < MIN_DISK_QUOTA_BYTES) {
            throw new IllegalArgumentException("diskQuotaBytes " + diskQuotaBytes + " must be 0 (no quota) or at "
                    + "least " + MIN_DISK_QUOTA_BYTES);
        }
    }

    /** 512 processes, no CPU quota, 10 GiB of disk. */
    public static SandboxLimits defaults() {
        return new SandboxLimits(DEFAULT_MAX_PROCESSES, OptionalDouble.empty(), DEFAULT_DISK_QUOTA_BYTES);
    }

    public SandboxLimits withMaxProcesses(int value) {
        return new SandboxLimits(value, cpus, diskQuotaBytes);
    }

    public SandboxLimits withCpus(double value) {
        return new SandboxLimits(maxProcesses, OptionalDouble.of(value), diskQuotaBytes);
    }

    public SandboxLimits withoutCpuQuota() {
        return new SandboxLimits(maxProcesses, OptionalDouble.empty(), diskQuotaBytes);
    }

    public SandboxLimits withDiskQuotaBytes(long value) {
        return new SandboxLimits(maxProcesses, cpus, value);
    }
}
