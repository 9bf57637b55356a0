package dev.sandgate.adapter.retrofit;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Retries idempotent reads (GET, HEAD) on 502, 503 and 504 and on connection failures, up to a bound. Writes are
 * never retried: a POST that reached the server may have started a process.
 */
final class RetryInterceptor implements Interceptor {
    private final int maxRetries;

    RetryInterceptor(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries " + maxRetries + " must not be negative");
        }
        this.maxRetries = maxRetries;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        var request = chain.request();
        boolean idempotent = request.method().equals("GET") || request.method().equals("HEAD");
        if (!idempotent) {
            return chain.proceed(request);
        }
        for (int attempt = 0; ; attempt++) {
            try {
                Response response = chain.proceed(request);
                int code = response.code();
                boolean transientStatus = code == 502 || code == 503 || code == 504;
                if (!transientStatus || attempt >= maxRetries) {
                    return response;
                }
                response.close();
            } catch (IOException e) {
                if (chain.call().isCanceled() || attempt >= maxRetries) {
                    throw e;
                }
            }
        }
    }
}
