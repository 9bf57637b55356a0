package dev.sandgate.adapter.local.process;

import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a sandbox's directory must hold to be mounted at {@code /} by bubblewrap: empty mount points for
 * {@code usr etc proc dev} and {@code tmp}, and the host's system directories outside {@code /usr} ({@code bin sbin
 * lib lib32 lib64 libx32}) as the same relative symlinks into {@code usr} (or empty mount points where the host has
 * real directories). Those names are reserved: one that is something else, such as a symlink pointing elsewhere,
 * stops processes from starting ({@code 422}), since bubblewrap would follow it on the host.
 */
final class BwrapRoot {
    private static final Logger LOG = LoggerFactory.getLogger(BwrapRoot.class);
    private static final List<String> SYSTEM_DIRS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");
    private static final List<String> MOUNT_POINTS = List.of("usr", "etc", "proc", "dev");

    private BwrapRoot() {
    }

    /**
     * Creates the reserved mount points and symlinks in {@code sandboxRoot}, and refuses one that is something else.
     *
     * @param systemDirs {@link #hostSystemDirs()}: name → relative symlink target, or empty for a real directory
     */
    static void prepare(Path sandboxRoot, Map<String, Optional<String>> systemDirs) {
        try {
            for (String name : MOUNT_POINTS) {
                ensureDirectory(sandboxRoot, name);
            }
            ensureDirectory(sandboxRoot, "tmp");
            for (Map.Entry<String, Optional<String>> e : systemDirs.entrySet()) {
                if (e.getValue().isEmpty()) {
                    ensureDirectory(sandboxRoot, e.getKey());
                } else {
                    ensureSymlink(sandboxRoot, e.getKey(), e.getValue().get());
                }
            }
        } catch (IOException e) {
            throw new SandgateException.Unavailable("could not prepare the sandbox directory: " + e.getMessage(), e);
        }
    }

    private static void ensureDirectory(Path root, String name) throws IOException {
        Path p = root.resolve(name);
        if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            throw reserved(name);
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(p);
        }
    }

    private static void ensureSymlink(Path root, String name, String target) throws IOException {
        Path p = root.resolve(name);
        if (Files.isSymbolicLink(p)) {
            if (!Files.readSymbolicLink(p).toString().equals(target)) {
                throw reserved(name);
            }
        } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw reserved(name);
        } else {
            Files.createSymbolicLink(p, Path.of(target));
        }
    }

    private static SandgateException reserved(String name) {
        return SandgateException.InvalidRequest.unprocessable("sandbox path '/" + name + "' is reserved for the "
                + "system directories of isolated processes; remove or rename it to run processes");
    }

    /** The host's system directories outside /usr: name → relative symlink target into usr, or empty. */
    static Map<String, Optional<String>> hostSystemDirs() {
        Map<String, Optional<String>> dirs = new LinkedHashMap<>();
        for (String name : SYSTEM_DIRS) {
            Path p = Path.of("/", name);
            try {
                if (Files.isSymbolicLink(p)) {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("/")) {
                        target = target.substring(1);
                    }
                    if (target.startsWith("usr/") && !target.contains("..")) {
                        dirs.put(name, Optional.of(target));
                    } else if (Files.isDirectory(p)) {
                        dirs.put(name, Optional.empty());
                    }
                } else if (Files.isDirectory(p)) {
                    dirs.put(name, Optional.empty());
                }
            } catch (IOException e) {
                LOG.debug("skipping /{}: {}", name, e.getMessage());
            }
        }
        return dirs;
    }
}
