package dev.sandgate.adapter.local.bench;

import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.TokenName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of {@link FileAccessStore#verify}: a valid token, a random well-formed one, and one that shares its first 40
 * characters with a valid token (the two invalid cases should cost the same). 10,000 live tokens in 1,000 previews.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenVerifyBenchmark {
    static final int PREVIEWS = 1_000;
    static final int TOKENS_PER_PREVIEW = 10;
    static final int ROTATION = 1024;

    private Path dir;
    private FileAccessStore store;
    private final Instant now = Instant.now();
    private final SandboxName[] sandboxes = new SandboxName[ROTATION];
    private final PreviewName[] previews = new PreviewName[ROTATION];
    private final String[] valid = new String[ROTATION];
    private final String[] random = new String[ROTATION];
    private final String[] prefixed = new String[ROTATION];
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sandgate-bench-verify");
        byte[] key = new byte[32];
        SecureRandom rnd = new SecureRandom();
        rnd.nextBytes(key);
        store = FileAccessStore.open(dir.resolve("access"), key, false);
        Instant expires = now.plusSeconds(3600);
        PreviewToken[] sample = new PreviewToken[ROTATION];
        int n = 0;
        for (int p = 0; p < PREVIEWS; p++) {
            SandboxName sandbox = SandboxName.of("box-" + (p % 100));
            PreviewName preview = PreviewName.of("preview-" + p);
            store.insertPreview(new Preview(sandbox, PreviewSpec.privatePort(preview, Port.of(3000)),
                    "http://127.0.0.1/p/" + sandbox + "/" + preview, now));
            for (int t = 0; t < TOKENS_PER_PREVIEW; t++) {
                PreviewToken token = store.mintToken(sandbox, preview, TokenName.of("t" + t), expires, now);
                if (n < ROTATION && (p * TOKENS_PER_PREVIEW + t) % 9 == 0) {
                    sample[n++] = token;
                }
            }
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        for (int k = 0; k < ROTATION; k++) {
            PreviewToken token = sample[k % n];
            sandboxes[k] = token.sandbox();
            previews[k] = token.preview();
            valid[k] = token.value().value();
            byte[] bytes = new byte[32];
            rnd.nextBytes(bytes);
            random[k] = FileAccessStore.PREFIX + b64.encodeToString(bytes);
            prefixed[k] = valid[k].substring(0, 40) + random[k].substring(40);
        }
        for (int k = 0; k < ROTATION; k++) {
            if (store.verify(sandboxes[k], previews[k], valid[k], now).isEmpty()
                    || store.verify(sandboxes[k], previews[k], random[k], now).isPresent()
                    || store.verify(sandboxes[k], previews[k], prefixed[k], now).isPresent()) {
                throw new IllegalStateException("benchmark inputs are wrong");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private int next() {
        i = (i + 1) & (ROTATION - 1);
        return i;
    }

    @Benchmark
    public Optional<PreviewToken> verifyValid() {
        int k = next();
        return store.verify(sandboxes[k], previews[k], valid[k], now);
    }

    @Benchmark
    public Optional<PreviewToken> verifyRandomInvalid() {
        int k = next();
        return store.verify(sandboxes[k], previews[k], random[k], now);
    }

    @Benchmark
    public Optional<PreviewToken> verifyInvalidWithValidPrefix() {
        int k = next();
        return store.verify(sandboxes[k], previews[k], prefixed[k], now);
    }
}
