package dev.sandgate.domain;

/**
 * The name of a process, unique among the running processes of its sandbox: 1–128 characters of
 * {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit, and not all digits (a process is addressed by
 * pid or by name, and an all-digit name would be read as a pid).
 */
public record ProcessName(String value) {
    public ProcessName {
        Names.require(value, Names.IDENTIFIER, "process name",
                "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        if (value.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("process name '" + value + "' is invalid: it must not be all digits, "
                    + "which would be read as a pid");
        }
    }

    public static ProcessName of(String value) {
        return new ProcessName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
