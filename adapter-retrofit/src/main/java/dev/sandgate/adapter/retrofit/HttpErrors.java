package dev.sandgate.adapter.retrofit;

import dev.sandgate.domain.SandgateException;
import java.util.Locale;

/**
 * Turns an HTTP answer that is not a success into the domain's typed error. The message keeps the status, the
 * server's machine code and its message: {@code HTTP 404 NOT_FOUND: Sandbox x not found}.
 */
final class HttpErrors {
    private HttpErrors() {
    }

    static SandgateException fromResponse(int status, String body) {
        String code = "";
        String message = "";
        try {
            Wire.Error error = WireJson.MOSHI.adapter(Wire.Error.class).fromJson(body);
            if (error != null) {
                // Control plane: {"code":404,"error":"NOT_FOUND","message":"…"}; data plane: {"error":"…"} (a Sandgate
            // broker adds "reason", the machine code).
                if (error.message != null) {
                    code = error.error == null ? "" : error.error;
                    message = error.message;
                } else if (error.error != null) {
                    message = error.error;
                    code = error.reason == null ? "" : error.reason;
                }
            }
        } catch (Exception notJson) {
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

    static SandgateException malformed(String what, Exception cause) {
        return new SandgateException.Unavailable("malformed response to " + what + ": " + cause.getMessage(), cause);
    }

    private static String snippet(String body) {
        String trimmed = body == null ? "" : body.strip();
        // bodies are not ours to echo in full (and never carry a credential we sent: those travel in headers)
        return trimmed.length() > 200 ? trimmed.substring(0, 200) + "…" : trimmed;
    }
}
