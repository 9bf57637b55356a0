package dev.sandgate.adapter.local;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.ports.audit.AuditEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/** The persisted form of an {@link AuditEntry} in {@link FileAuditLog}: one JSON object per line. */
final class AuditLine {
    int version;
    long seq;
    String id;
    Instant time;
    String sandbox;
    String session;
    String subject;
    String credential;
    String operation;
    String target;
    int status;
    String code;
    String client;

    /** A line read back: its sequence number and its entry, validated again. */
    record Read(long seq, AuditEntry entry) {
    }

    static byte[] encode(long seq, AuditEntry e) {
        AuditLine line = new AuditLine();
        line.version = LocalRecords.VERSION;
        line.seq = seq;
        line.id = e.id();
        line.time = e.time();
        line.sandbox = e.sandbox().value();
        line.session = e.session().value();
        line.subject = e.subject().map(SessionSubject::value).orElse(null);
        line.credential = e.credential();
        line.operation = e.operation();
        line.target = e.target().orElse(null);
        line.status = e.status();
        line.code = e.code().orElse(null);
        line.client = e.client();
        return LocalJson.encodeLine(AuditLine.class, line);
    }

    static Read decode(String text) throws IOException {
        AuditLine l = LocalJson.decode(AuditLine.class, text.getBytes(StandardCharsets.UTF_8), "an audit line");
        return new Read(l.seq, new AuditEntry(l.id, l.time, SandboxName.of(l.sandbox), PreviewName.of(l.session),
                Optional.ofNullable(l.subject).map(SessionSubject::of), l.credential, l.operation, Optional.ofNullable(l.target), l.status,
                Optional.ofNullable(l.code), l.client));
    }
}
