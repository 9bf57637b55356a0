package dev.sandgate.domain;

import java.util.Objects;

/** One line of a process's output, without its line terminator. */
public record LogLine(LogStream stream, String text) {
    public LogLine {
        Objects.requireNonNull(stream, "stream must not be null");
        Objects.requireNonNull(text, "text must not be null");
        if (text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a log line must not contain a line feed");
        }
    }

    public static LogLine stdout(String text) {
        return new LogLine(LogStream.STDOUT, text);
    }

    public static LogLine stderr(String text) {
        return new LogLine(LogStream.STDERR, text);
    }
}
