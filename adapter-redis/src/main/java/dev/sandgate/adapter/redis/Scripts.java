package dev.sandgate.adapter.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The store's Lua scripts (resources next to this class, each prefixed with {@code common.lua}). Redis runs a script
 * atomically: no other command runs between its first and last call, which is what makes a mint's cap, evictions
 * and new token one change. Called by SHA-1 ({@code EVALSHA}); loaded again when Redis forgot it (a restart).
 */
enum Scripts {
    INSERT_PREVIEW("insert_preview"),
    REPLACE_PREVIEW("replace_preview"),
    REMOVE_PREVIEW("remove_preview"),
    REMOVE_SANDBOX("remove_sandbox"),
    REVOKE_SESSIONS("revoke_sessions"),
    RENEW_SESSION("renew_session"),
    MINT("mint"),
    REMOVE_TOKEN("remove_token"),
    LIST_TOKENS("list_tokens"),
    LIST_PREVIEWS("list_previews"),
    VERIFY("verify"),
    NODE_HEARTBEAT("node_heartbeat"),
    DEREGISTER_NODE("deregister"),
    LIVE_NODES("live_nodes"),
    ASSIGN("assign"),
    UNASSIGN("unassign"),
    AUDIT_APPEND("audit_append");

    private final String source;
    private final String sha;

    Scripts(String name) {
        this.source = read("common") + "\n" + read(name);
        this.sha = sha1(source);
    }

    String source() {
        return source;
    }

    String sha() {
        return sha;
    }

    private static String read(String name) {
        try (InputStream in = Scripts.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("the script " + name + ".lua is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the script " + name + ".lua cannot be read", e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
