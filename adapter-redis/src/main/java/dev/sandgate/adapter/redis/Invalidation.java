package dev.sandgate.adapter.redis;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import java.util.Objects;
import java.util.Optional;

/**
 * A message on the cluster's invalidation channel ({@link RedisKeys#channel()}): something that a broker's cache of
 * verified credentials must drop. Published by the same Lua script that makes the change, so it is never sent for a
 * change that did not happen, nor missed for one that did (while a subscriber is connected: see
 * {@link VerifiedCache} for the rest).
 *
 * <p>Format, one line of ASCII fields separated by single spaces (names are DNS labels, so no field holds a space):
 * <ul>
 *   <li>{@code v1 token <sandbox> <preview> <token>}: a token was revoked or evicted by the cap;</li>
 *   <li>{@code v1 preview <sandbox> <preview>}: a preview (so a session) was deleted, or replaced, with its tokens;</li>
 *   <li>{@code v1 sandbox <sandbox>}: every preview and token of a sandbox was deleted.</li>
 * </ul>
 * Expiry sends nothing: every broker sees an expiry at its own clock. A reader ignores a message of another version
 * or kind it does not know, after dropping everything of the sandbox it names, if it names one (fails closed).
 */
record Invalidation(Kind kind, SandboxName sandbox, Optional<PreviewName> preview, Optional<TokenName> token) {
    static final String VERSION = "v1";

    enum Kind { TOKEN, PREVIEW, SANDBOX }

    Invalidation {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(preview, "preview must not be null");
        Objects.requireNonNull(token, "token must not be null");
        if ((kind == Kind.SANDBOX) != preview.isEmpty() || (kind == Kind.TOKEN) != token.isPresent()) {
            throw new IllegalArgumentException("an invalidation of a " + kind + " names the wrong parts");
        }
    }

    static Invalidation token(SandboxName sandbox, PreviewName preview, TokenName token) {
        return new Invalidation(Kind.TOKEN, sandbox, Optional.of(preview), Optional.of(token));
    }

    static Invalidation preview(SandboxName sandbox, PreviewName preview) {
        return new Invalidation(Kind.PREVIEW, sandbox, Optional.of(preview), Optional.empty());
    }

    static Invalidation sandbox(SandboxName sandbox) {
        return new Invalidation(Kind.SANDBOX, sandbox, Optional.empty(), Optional.empty());
    }

    /** The prefix of a preview message of one sandbox; the script appends the preview's name. */
    static String previewPrefix(SandboxName sandbox) {
        return VERSION + " preview " + sandbox.value() + " ";
    }

    /** The prefix of a token message for one preview; the script appends the token's name. */
    static String tokenPrefix(SandboxName sandbox, PreviewName preview) {
        return VERSION + " token " + sandbox.value() + " " + preview.value() + " ";
    }

    String encode() {
        return switch (kind) {
            case TOKEN -> tokenPrefix(sandbox, preview.orElseThrow()) + token.orElseThrow().value();
            case PREVIEW -> VERSION + " preview " + sandbox.value() + " " + preview.orElseThrow().value();
            case SANDBOX -> VERSION + " sandbox " + sandbox.value();
        };
    }

    /**
     * Reads a message; empty when it is not one this version knows. A message of an unknown form that still names a
     * sandbox in its third field is read as {@link Kind#SANDBOX}, so a cache drops too much rather than too little.
     */
    static Optional<Invalidation> parse(String message) {
        if (message == null) {
            return Optional.empty();
        }
        String[] f = message.split(" ", -1);
        try {
            if (f.length == 5 && f[0].equals(VERSION) && f[1].equals("token")) {
                return Optional.of(token(SandboxName.of(f[2]), PreviewName.of(f[3]), TokenName.of(f[4])));
            }
            if (f.length == 4 && f[0].equals(VERSION) && f[1].equals("preview")) {
                return Optional.of(preview(SandboxName.of(f[2]), PreviewName.of(f[3])));
            }
            if (f.length >= 3) {
                return Optional.of(sandbox(SandboxName.of(f[2])));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
