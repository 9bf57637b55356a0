package dev.sandgate.domain;

/** Which output a log line came from; {@link #prefix()} is how the wire protocol marks it. */
public enum LogStream {
    STDOUT, STDERR;

    public String prefix() {
        return this == STDOUT ? "stdout:" : "stderr:";
    }
}
