package dev.sandgate.domain;

/** The status of a sandbox as the wire protocol spells it. {@link #DEPLOYED} means usable. */
public enum SandboxStatus {
    DELETING, TERMINATED, FAILED, DEACTIVATED, DEACTIVATING, UPLOADING, BUILDING, DEPLOYING, DEPLOYED, BUILT,
    ARCHIVING, ARCHIVED, UNARCHIVING;

    /** Whether a sandbox in this status may be reused by {@code createIfNotExists} (the SDK's rule). */
    public boolean isReusable() {
        return switch (this) {
            case FAILED, TERMINATED, DELETING, DEACTIVATING -> false;
            default -> true;
        };
    }
}
