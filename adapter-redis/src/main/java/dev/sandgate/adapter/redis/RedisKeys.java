package dev.sandgate.adapter.redis;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The names of the store's keys and of its invalidation channel, all under one namespace (by default
 * {@code sandgate}). Sandbox, preview and token names are DNS labels, so {@code :} never occurs inside one. The
 * layout is described in {@code common.lua} and docs/scale-out.md.
 *
 * @param namespace the keys' common prefix
 * @param database  the Redis database: pub/sub channels are not per database, so the channel names it
 */
record RedisKeys(String namespace, int database) {
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    RedisKeys {
        Objects.requireNonNull(namespace, "namespace must not be null");
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("namespace '" + namespace + "' must be 1-63 of a-z 0-9 . _ -");
        }
        if (database < 0) {
            throw new IllegalArgumentException("database must not be negative");
        }
    }

    String seq() {
        return namespace + ":seq";
    }

    String previews(SandboxName sandbox) {
        return namespace + ":ps:" + sandbox.value();
    }

    String previewPrefix(SandboxName sandbox) {
        return namespace + ":p:" + sandbox.value() + ":";
    }

    String preview(SandboxName sandbox, PreviewName preview) {
        return previewPrefix(sandbox) + preview.value();
    }

    String tokenSetPrefix(SandboxName sandbox) {
        return namespace + ":ts:" + sandbox.value() + ":";
    }

    String tokens(SandboxName sandbox, PreviewName preview) {
        return tokenSetPrefix(sandbox) + preview.value();
    }

    String tokenPrefix(SandboxName sandbox) {
        return namespace + ":t:" + sandbox.value() + ":";
    }

    String tokenPrefix(SandboxName sandbox, PreviewName preview) {
        return tokenPrefix(sandbox) + preview.value() + ":";
    }

    String token(SandboxName sandbox, PreviewName preview, TokenName name) {
        return tokenPrefix(sandbox, preview) + name.value();
    }

    /** The audit trail of a sandbox: a stream. */
    String audit(SandboxName sandbox) {
        return namespace + ":audit:" + sandbox.value();
    }

    /** The revoke-all calls of a sandbox. */
    String revocations(SandboxName sandbox) {
        return namespace + ":rv:" + sandbox.value();
    }

    String indexPrefix() {
        return namespace + ":v:";
    }

    /** The cluster's invalidation channel: {@code <namespace>:<database>:invalidations}. */
    String channel() {
        return namespace + ":" + database + ":invalidations";
    }
}
