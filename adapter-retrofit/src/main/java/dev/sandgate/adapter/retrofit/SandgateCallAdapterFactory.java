package dev.sandgate.adapter.retrofit;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import dev.sandgate.domain.SandgateException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.Request;
import okhttp3.ResponseBody;
import okio.Timeout;
import retrofit2.Call;
import retrofit2.CallAdapter;
import retrofit2.Callback;
import retrofit2.Response;
import retrofit2.Retrofit;

/**
 * The one place where an HTTP outcome becomes a domain outcome (after Retrofit's {@code ErrorHandlingAdapter}
 * sample): every {@code Call<T>} of the Sandgate APIs is wrapped so that {@link Call#execute()} returns only a
 * successful response with a body, and throws the sealed {@link SandgateException} for everything else, so nothing
 * of Retrofit, OkHttp or Moshi leaks:
 *
 * <ul>
 *   <li>a non-2xx answer → its error body read in either face's shape ({@code {"code","error","message"}} or
 *       {@code {"error","reason"}}) and mapped by status and machine code, e.g. {@code HTTP 404 NOT_FOUND: …};</li>
 *   <li>a 2xx answer whose body is not the JSON expected (malformed, empty, another type) → {@code Unavailable}
 *       "malformed response to GET …";</li>
 *   <li>a connection failure or timeout → {@code Unavailable} "GET … failed" / "timed out";</li>
 *   <li>a request that cannot be built (a path parameter {@code .} or {@code ..}) → {@code InvalidRequest}.</li>
 * </ul>
 */
final class SandgateCallAdapterFactory extends CallAdapter.Factory {
    static final SandgateCallAdapterFactory INSTANCE = new SandgateCallAdapterFactory();

    private SandgateCallAdapterFactory() {
    }

    @Override
    public CallAdapter<?, ?> get(Type returnType, Annotation[] annotations, Retrofit retrofit) {
        if (getRawType(returnType) != Call.class || !(returnType instanceof ParameterizedType parameterized)) {
            return null;
        }
        Type responseType = getParameterUpperBound(0, parameterized);
        boolean bodiless = responseType == Void.class;
        return new CallAdapter<Object, Call<Object>>() {
            @Override
            public Type responseType() {
                return responseType;
            }

            @Override
            public Call<Object> adapt(Call<Object> call) {
                return new MappedCall<>(call, bodiless);
            }
        };
    }

    /** Runs a call and returns its body: the value, or the domain error. */
    static <T> T execute(Call<T> call) {
        try {
            return call.execute().body();
        } catch (IOException e) {
            // a MappedCall never throws it; a raw call might
            throw transport(call, e);
        }
    }

    /** Runs a call and returns its successful response (a streamed body still to be read), or the domain error. */
    static <T> Response<T> response(Call<T> call) {
        try {
            return call.execute();
        } catch (IOException e) {
            throw transport(call, e);
        }
    }

    /**
     * Runs a call and maps its body to a domain value; a body the domain refuses (a sandbox without a name, a port
     * out of range) is a malformed answer, not a crash.
     */
    static <T, R> R execute(Call<T> call, Function<T, R> toDomain) {
        T body = execute(call);
        try {
            return toDomain.apply(body);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw malformed(describe(call), e);
        }
    }

    static SandgateException transport(Call<?> call, IOException e) {
        String reason = e instanceof InterruptedIOException ? "timed out" : "failed";
        return new SandgateException.Unavailable(describe(call) + " " + reason + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    }

    static SandgateException malformed(String what, Exception cause) {
        return new SandgateException.Unavailable("malformed response to " + what + ": " + cause.getMessage(), cause);
    }

    /** The domain error for a non-2xx answer, from its status and body. */
    static SandgateException fromResponse(int status, String body) {
        return fromResponse(status, body, null);
    }

    /**
     * The domain error for a non-2xx answer, from its status, body and {@code Retry-After} (null when absent): a 429
     * is {@link SandgateException.QuotaExceeded} with the quota the body names and the wait the header gives.
     */
    static SandgateException fromResponse(int status, String body, String retryAfter) {
        SandgateException error = fromBody(status, body);
        if (status != 429) {
            return error;
        }
        Optional<String> quota = Optional.empty();
        try {
            Wire.QuotaError q = WireJson.adapter(Wire.QuotaError.class).fromJson(body);
            quota = q == null ? Optional.empty() : Optional.ofNullable(q.quota());
        } catch (IOException | RuntimeException notJson) {
            // the message already shows what came
        }
        return new SandgateException.QuotaExceeded(error.getMessage(), quota, retryAfter(retryAfter));
    }

    /** {@code Retry-After} in seconds (the broker's form); a date or nothing reads as one second. */
    private static Duration retryAfter(String header) {
        if (header != null && header.trim().matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        }
        return Duration.ofSeconds(1);
    }

    private static SandgateException fromBody(int status, String body) {
        String code = "";
        String message = "";
        try {
            Wire.Error error = WireJson.adapter(Wire.Error.class).fromJson(body);
            if (error != null && error.message() != null) {
                // control plane: {"code":404,"error":"NOT_FOUND","message":"…"}
                code = error.error() == null ? "" : error.error();
                message = error.message();
            } else if (error != null && error.error() != null) {
                // sandbox API: {"error":"…"}; a Sandgate broker adds "reason", the machine code
                message = error.error();
                code = error.reason() == null ? "" : error.reason();
            }
        } catch (IOException | RuntimeException notJson) {
            message = snippet(body);
        }
        if (message.isEmpty()) {
            message = snippet(body);
        }
        String text = "HTTP " + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message);
        boolean expired = code.toUpperCase(Locale.ROOT).contains("EXPIRED");
        if (code.equals("CONFLICT")) {
            // a Sandgate broker's sandbox API answers a taken process name with 400, as Blaxel's does
            return new SandgateException.Conflict(text);
        }
        return switch (status) {
            case 401, 403 -> expired ? new SandgateException.Expired(text) : new SandgateException.Unauthorized(text);
            case 404, 410 -> new SandgateException.NotFound(text);
            case 409 -> new SandgateException.Conflict(text);
            case 413 -> SandgateException.InvalidRequest.tooLarge(text);
            case 422 -> SandgateException.InvalidRequest.unprocessable(text);
            default -> status >= 400 && status < 500
                    ? new SandgateException.InvalidRequest(text)
                    : new SandgateException.Unavailable(text);
        };
    }

    private static String snippet(String body) {
        String trimmed = body == null ? "" : body.strip();
        // bodies are not ours to echo in full (and never carry a credential we sent: those travel in headers)
        return trimmed.length() > 200 ? trimmed.substring(0, 200) + "…" : trimmed;
    }

    static String describe(Call<?> call) {
        try {
            Request request = call.request();
            return request.method() + " " + request.url().encodedPath();
        } catch (RuntimeException unbuildable) {
            return "a request";
        }
    }

    /** A call whose outcomes are domain outcomes. */
    private static final class MappedCall<T> implements Call<T> {
        private final Call<T> delegate;
        private final boolean bodiless;

        MappedCall(Call<T> delegate, boolean bodiless) {
            this.delegate = delegate;
            this.bodiless = bodiless;
        }

        @Override
        public Response<T> execute() {
            Response<T> response;
            try {
                response = delegate.execute();
            } catch (JsonDataException | JsonEncodingException | EOFException e) {
                throw malformed(describe(delegate), e);
            } catch (IOException e) {
                throw transport(delegate, e);
            } catch (IllegalArgumentException e) {
                throw new SandgateException.InvalidRequest("cannot send " + e.getMessage());
            }
            if (!response.isSuccessful()) {
                String text;
                try (ResponseBody error = response.errorBody()) {
                    text = error == null ? "" : error.string();
                } catch (IOException e) {
                    text = "";
                }
                throw fromResponse(response.code(), text, response.headers().get("Retry-After"));
            }
            if (response.body() == null && !bodiless) {
                throw malformed(describe(delegate), new IllegalArgumentException("empty body"));
            }
            return response;
        }

        @Override
        public void enqueue(Callback<T> callback) {
            delegate.enqueue(new Callback<>() {
                @Override
                public void onResponse(Call<T> call, Response<T> response) {
                    if (response.isSuccessful()) {
                        callback.onResponse(MappedCall.this, response);
                        return;
                    }
                    String text;
                    try (ResponseBody error = response.errorBody()) {
                        text = error == null ? "" : error.string();
                    } catch (IOException e) {
                        text = "";
                    }
                    callback.onFailure(MappedCall.this, fromResponse(response.code(), text,
                            response.headers().get("Retry-After")));
                }

                @Override
                public void onFailure(Call<T> call, Throwable t) {
                    callback.onFailure(MappedCall.this, t instanceof IOException io ? transport(delegate, io) : t);
                }
            });
        }

        @Override
        public boolean isExecuted() {
            return delegate.isExecuted();
        }

        @Override
        public void cancel() {
            delegate.cancel();
        }

        @Override
        public boolean isCanceled() {
            return delegate.isCanceled();
        }

        @Override
        public Call<T> clone() {
            return new MappedCall<>(delegate.clone(), bodiless);
        }

        @Override
        public Request request() {
            return delegate.request();
        }

        @Override
        public Timeout timeout() {
            return delegate.timeout();
        }
    }
}
