package dev.sandgate.adapter.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class WebSocketFramesTest {
    private static Buffer frame(int payload) {
        Buffer b = Buffer.buffer();
        b.appendByte((byte) 0x81);
        if (payload < 126) {
            b.appendByte((byte) payload);
        } else if (payload < 65536) {
            b.appendByte((byte) 126).appendShort((short) payload);
        } else {
            b.appendByte((byte) 127).appendLong(payload);
        }
        return b.appendBytes(new byte[payload]);
    }

    @Test
    void frames_of_every_length_form_are_followed_across_chunks_of_any_size() {
        Buffer stream = Buffer.buffer().appendBuffer(frame(5)).appendBuffer(frame(300)).appendBuffer(frame(70_000));
        for (int chunk : new int[] {1, 2, 3, 7, 100, 65_536, stream.length()}) {
            WebSocketFrames frames = new WebSocketFrames();
            for (int i = 0; i < stream.length(); i += chunk) {
                frames.feed(stream.getBuffer(i, Math.min(stream.length(), i + chunk)));
                assertThat(frames.atBoundary()).as("chunk %d at %d", chunk, i)
                        .isEqualTo(Math.min(stream.length(), i + chunk) == 7
                                || Math.min(stream.length(), i + chunk) == 7 + 304
                                || Math.min(stream.length(), i + chunk) == stream.length());
            }
        }
    }

    @Test
    void feeding_to_a_boundary_stops_where_the_current_frame_ends() {
        WebSocketFrames frames = new WebSocketFrames();
        frames.feed(frame(10).getBuffer(0, 4));

        Buffer rest = Buffer.buffer().appendBuffer(frame(10).getBuffer(4, 12)).appendBuffer(frame(3));

        assertThat(frames.feedToBoundary(rest)).isEqualTo(8);
        assertThat(frames.atBoundary()).isTrue();
        assertThat(frames.feedToBoundary(frame(3))).isZero();
        WebSocketFrames partial = new WebSocketFrames();
        partial.feed(frame(3).getBuffer(0, 1));
        assertThat(partial.feedToBoundary(frame(3).getBuffer(1, 3))).isEqualTo(-1);
    }

    @Test
    void a_close_frame_carries_the_code_and_a_reason_cut_to_fit() {
        Buffer close = WebSocketFrames.closeFrame(1008, "x".repeat(200));

        assertThat(close.getByte(0)).isEqualTo((byte) 0x88);
        assertThat(close.getByte(1)).isEqualTo((byte) 125);
        assertThat(close.getUnsignedShort(2)).isEqualTo(1008);
        assertThat(close.length()).isEqualTo(127);
    }
}
