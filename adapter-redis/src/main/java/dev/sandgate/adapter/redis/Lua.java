package dev.sandgate.adapter.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;

/** Runs one of the {@link Scripts} by its SHA-1, loading it again when Redis forgot it (a restart, a flush). */
final class Lua {
    private Lua() {
    }

    static List<Object> run(RedisCommands<String, String> redis, Scripts script, String[] keys, String... args) {
        try {
            return redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            redis.scriptLoad(script.source());
            return redis.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args);
        }
    }
}
