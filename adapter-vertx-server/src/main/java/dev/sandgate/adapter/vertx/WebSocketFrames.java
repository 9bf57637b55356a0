package dev.sandgate.adapter.vertx;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Where the frames of one direction of a WebSocket tunnel begin and end (RFC 6455 section 5.2), read from the raw
 * bytes the tunnel forwards, so that the broker can close a tunnel with a close frame of its own without cutting a
 * frame of the application's in half. Only the frame headers are read; payloads are skipped, never copied.
 */
final class WebSocketFrames {
    private final byte[] header = new byte[14];
    private int headerLength;
    private long remaining;

    /** Whether the bytes seen so far end exactly where a frame ends. */
    boolean atBoundary() {
        return headerLength == 0 && remaining == 0;
    }

    /** Takes in all of {@code chunk}. */
    void feed(Buffer chunk) {
        advance(chunk, false);
    }

    /**
     * Takes in {@code chunk} up to the first frame boundary in it and answers how many bytes that is ({@code 0} when
     * the chunk starts on one), or {@code -1}, having taken in all of it, when no frame ends inside it.
     */
    int feedToBoundary(Buffer chunk) {
        return advance(chunk, true);
    }

    private int advance(Buffer chunk, boolean stopAtBoundary) {
        int length = chunk.length();
        int i = 0;
        while (true) {
            if (stopAtBoundary && atBoundary()) {
                return i;
            }
            if (i >= length) {
                return stopAtBoundary ? -1 : length;
            }
            if (remaining > 0) {
                long skip = Math.min(remaining, length - i);
                i += (int) skip;
                remaining -= skip;
                continue;
            }
            header[headerLength++] = chunk.getByte(i++);
            if (headerLength >= 2 && headerLength == headerSize()) {
                remaining = payloadLength();
                headerLength = 0;
            }
        }
    }

    private int headerSize() {
        int len7 = header[1] & 0x7f;
        int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private long payloadLength() {
        int len7 = header[1] & 0x7f;
        if (len7 < 126) {
            return len7;
        }
        int bytes = len7 == 126 ? 2 : 8;
        long value = 0;
        for (int k = 0; k < bytes; k++) {
            value = (value << 8) | (header[2 + k] & 0xff);
        }
        return value & Long.MAX_VALUE;
    }

    /** An unmasked close frame (server to client) with {@code code} and {@code reason} (cut to 123 bytes). */
    static Buffer closeFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, 123);
        Buffer frame = Buffer.buffer(4 + n);
        frame.appendByte((byte) 0x88).appendByte((byte) (2 + n))
                .appendByte((byte) (code >> 8)).appendByte((byte) code);
        frame.appendBytes(text, 0, n);
        return frame;
    }
}
