package dev.sandgate.adapter.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file that holds the token key ({@code secret.key}): {@value #KEY_BYTES} random bytes, owner-only
 * ({@code 0600}), created on first start unless the operator keeps it elsewhere. It lives apart from the records, so
 * that a copy of them yields no usable token.
 */
final class KeyFile {
    static final int KEY_BYTES = 32;
    private static final Logger LOG = LoggerFactory.getLogger(KeyFile.class);

    private KeyFile() {
    }

    /**
     * Reads the key file, or creates it with {@value #KEY_BYTES} random bytes, owner-only ({@code 0600}), atomically
     * (so two processes starting together agree on one key). With {@code durable}, a new key is flushed to the disk
     * before it is used.
     */
    static byte[] loadOrCreate(Path keyFile, boolean durable) {
        Path file = keyFile.toAbsolutePath().normalize();
        try {
            if (!Files.exists(file)) {
                create(file, durable);
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length < KEY_BYTES) {
                throw new IllegalStateException("the token key file holds " + key.length + " bytes; it needs at least "
                        + KEY_BYTES);
            }
            return key;
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("the token key file could not be created", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the token key file could not be read or created", e);
        }
    }

    private static void create(Path file, boolean durable) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] fresh = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(fresh);
        Path temp = Files.createTempFile(file.getParent(), ".secret.", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temp, fresh, StandardOpenOption.WRITE);
            if (durable) {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
            try {
                // A link, not a rename: it fails if another process created the key meanwhile.
                Files.createLink(file, temp);
                LOG.info("created a new token key; keep it with the data directory, or tokens stop working");
            } catch (FileAlreadyExistsException raced) {
                // the other process's key wins
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        if (durable) {
            AtomicFiles.syncDirectory(file.getParent());
        }
    }
}
