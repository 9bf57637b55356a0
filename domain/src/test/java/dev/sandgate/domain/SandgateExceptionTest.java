package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class SandgateExceptionTest {
    @Test
    void not_found_carries_its_code_and_message() {
        SandgateException e = new SandgateException.NotFound("sandbox box not found");

        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e).hasMessage("sandbox box not found");
    }

    @Test
    void conflict_carries_its_code() {
        assertThat(new SandgateException.Conflict("taken").code()).isEqualTo(ErrorCode.CONFLICT);
    }

    @Test
    void unauthorized_carries_its_code() {
        assertThat(new SandgateException.Unauthorized("no").code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void expired_carries_its_code() {
        assertThat(new SandgateException.Expired("late").code()).isEqualTo(ErrorCode.EXPIRED);
    }

    @Test
    void unavailable_carries_its_code_and_cause() {
        IOException cause = new IOException("connection reset");

        SandgateException e = new SandgateException.Unavailable("provider down", cause);

        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e).hasCause(cause);
    }

    @Test
    void invalid_request_defaults_to_the_invalid_request_code() {
        assertThat(new SandgateException.InvalidRequest("bad").code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void unprocessable_is_an_invalid_request_with_its_own_code() {
        assertThat(SandgateException.InvalidRequest.unprocessable("no folder").code())
                .isEqualTo(ErrorCode.UNPROCESSABLE);
    }

    @Test
    void too_large_is_an_invalid_request_with_its_own_code() {
        assertThat(SandgateException.InvalidRequest.tooLarge("6 MB").code()).isEqualTo(ErrorCode.TOO_LARGE);
    }

    @Test
    void invalid_request_refuses_a_code_of_another_kind_and_names_it() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SandgateException.InvalidRequest(ErrorCode.NOT_FOUND, "x"))
                .withMessage("not an invalid-request code: NOT_FOUND");
    }

    @Test
    void invalid_request_keeps_its_cause() {
        IllegalArgumentException cause = new IllegalArgumentException("port 0 is out of range 1-65535");

        assertThat(new SandgateException.InvalidRequest("bad port", cause)).hasCause(cause);
    }

    @Test
    void a_message_is_required() {
        assertThatNullPointerException().isThrownBy(() -> new SandgateException.Conflict(null))
                .withMessage("message must not be null");
    }
}
