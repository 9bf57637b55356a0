package dev.sandgate.ports.audit;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SessionSubject;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One use of a session, as the audit trail keeps it: which session (its preview's name) and end user (its
 * {@code subject}), by what credential, what it did (an {@link #operation()} such as {@code process.exec} or
 * {@code fs.read}, and the sandbox path or process it named), how the broker answered (the status, and the machine code
 * of a refusal), when the request arrived and from which client address. {@link #id()} is unique: a webhook receiver
 * deduplicates by it, since delivery is at least once.
 *
 * <p>Nothing in an entry is a secret: no token, no key, no header, no query string, no body beyond a process's name.
 *
 * @param id         unique, 1-64 of {@code [A-Za-z0-9_-]}
 * @param time       when the request arrived
 * @param sandbox    the sandbox the session is of
 * @param session    the session's name (its preview, {@code session-<millis>})
 * @param subject    the end user the session was minted for, when it names one
 * @param credential {@code token} (the session's token) or {@code api-key}
 * @param operation  what the request did, 1-32 of {@code [a-z.-]}
 * @param target     the sandbox path or process (name or pid) it named, at most {@value #MAX_TARGET} characters
 * @param status     the HTTP status answered
 * @param code       the machine code of a refusal or error ({@code SCOPE_MISSING}...), when it was one
 * @param client     the client's address
 */
public record AuditEntry(String id, Instant time, SandboxName sandbox, PreviewName session, Optional<SessionSubject> subject,
                         String credential, String operation, Optional<String> target, int status,
                         Optional<String> code, String client) {
    public static final int MAX_TARGET = 1024;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern OPERATION = Pattern.compile("[a-z][a-z.-]{0,31}");
    private static final Pattern CREDENTIAL = Pattern.compile("[a-z][a-z-]{0,31}");
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    public AuditEntry {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(time, "time must not be null");
        Objects.requireNonNull(sandbox, "sandbox must not be null");
        Objects.requireNonNull(session, "session must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(credential, "credential must not be null");
        Objects.requireNonNull(operation, "operation must not be null");
        Objects.requireNonNull(target, "target must not be null");
        Objects.requireNonNull(code, "code must not be null");
        Objects.requireNonNull(client, "client must not be null");
        require(ID, id, "id");
        require(OPERATION, operation, "operation");
        require(CREDENTIAL, credential, "credential");
        code.ifPresent(c -> require(CODE, c, "code"));
        target.ifPresent(t -> requirePrintable(t, MAX_TARGET, "target"));
        requirePrintable(client, 64, "client");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status " + status + " is not an HTTP status");
        }
    }

    private static void require(Pattern pattern, String value, String what) {
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + cut(value) + "' is invalid: " + pattern.pattern());
        }
    }

    private static void requirePrintable(String value, int max, String what) {
        if (value.length() > max) {
            throw new IllegalArgumentException(what + " is longer than " + max + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must not hold control characters");
        }
    }

    private static String cut(String value) {
        String printable = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }

    /** Whether the request was refused or failed (a status of 400 or more). */
    public boolean refused() {
        return status >= 400;
    }
}
