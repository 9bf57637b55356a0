package dev.sandgate.adapter.retrofit;

import com.squareup.moshi.JsonAdapter;
import dev.sandgate.domain.SandgateException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.Function;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.Response;

/** Runs a call and turns every outcome into a value or a domain error: nothing of Retrofit or OkHttp leaks. */
final class Calls {
    private Calls() {
    }

    static <T, R> R json(Call<ResponseBody> call, JsonAdapter<T> adapter, Function<T, R> mapper) {
        byte[] body = bytes(call);
        String what = describe(call);
        try {
            T parsed = adapter.fromJson(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            if (parsed == null) {
                throw new IllegalArgumentException("empty body");
            }
            return mapper.apply(parsed);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SandgateException s) {
                throw s;
            }
            throw HttpErrors.malformed(what, e);
        }
    }

    static byte[] bytes(Call<ResponseBody> call) {
        Response<ResponseBody> response = execute(call);
        try (ResponseBody body = response.body()) {
            return body == null ? new byte[0] : body.bytes();
        } catch (IOException e) {
            throw transport(call, e);
        }
    }

    static Response<ResponseBody> execute(Call<ResponseBody> call) {
        Response<ResponseBody> response;
        try {
            response = call.execute();
        } catch (IOException e) {
            throw transport(call, e);
        }
        if (!response.isSuccessful()) {
            String text;
            try (ResponseBody error = response.errorBody()) {
                text = error == null ? "" : error.string();
            } catch (IOException e) {
                text = "";
            }
            throw HttpErrors.fromResponse(response.code(), text);
        }
        return response;
    }

    static SandgateException transport(Call<?> call, IOException e) {
        String reason = e instanceof InterruptedIOException ? "timed out" : "failed";
        return new SandgateException.Unavailable(describe(call) + " " + reason + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    }

    private static String describe(Call<?> call) {
        var request = call.request();
        return request.method() + " " + request.url().encodedPath();
    }
}
