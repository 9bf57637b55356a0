package dev.sandgate.adapter.local.process;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A shell started before it is needed, so that an {@code exec} does not pay for spawning a process.
 *
 * <p>The shell is started exactly as a process would be (the same command line around {@code /bin/sh -c}, so in a
 * process group of its own and, under bubblewrap, inside the sandbox's namespaces), with the minimal environment,
 * running {@link #SCRIPT} instead of a command. The script reads one request from its standard input, {@code cd}s to
 * the working directory, exports the request's environment, points its standard input at {@code /dev/null} (unless
 * the command is to read the pipe), forgets its own variables and function, and {@code eval}s the command.
 * Everything it does is a builtin of {@code sh}: no program is started, not even a second shell (on this kind of
 * machine an {@code exec} of {@code sh} costs as much as the whole spawn of a process from the JVM).
 *
 * <p>The command therefore runs as it would under {@code sh -c <command>}: the same shell, pid, process group,
 * environment (no variable of the script is exported), working directory, {@code $0}, positional parameters (none),
 * line numbers and exit status. What differs: the shell's own argv is {@code /bin/sh -c <this script>}, and the
 * shell's messages about the command carry {@code eval:} ({@code sh: 1: eval: foo: not found} where {@code sh -c}
 * says {@code sh: 1: foo: not found}), as do those of a process spawned without isolation, which gets its variables
 * the same way ({@link #exports(Map)}).
 *
 * <p>The request is a sequence of values, each written as its number of lines followed by those lines (a value may
 * hold newlines): the working directory, the number of environment variables, each {@code NAME=value}, whether the
 * command reads the pipe afterwards ({@code 1}; the shell reads a byte at a time, so nothing past the request is
 * consumed) or {@code /dev/null} ({@code 0}), the command.
 * A shell whose standard input closes before a whole request arrived exits with {@link #RETIRED_EXIT_CODE}, which is
 * how an unused one is retired. The script's own variables and function start with {@code __sg_}; a request that
 * would set an environment variable of that prefix, holds a NUL character, or is larger than {@link #MAX_REQUEST_BYTES} (the shell reads its
 * input a byte at a time), is not made: the caller spawns a process instead.
 */
final class WarmShell {
    /** The exit code of a shell whose input closed before a request arrived. */
    static final int RETIRED_EXIT_CODE = 125;
    /** The exit code of a shell that could not enter the working directory or set the environment. */
    static final int SETUP_FAILED_EXIT_CODE = 126;
    /** The largest request handed to a shell. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;

    private static final String PREFIX = "__sg_";

    /**
     * What {@code sh} does with these variables when it finds them in its environment at start-up, done again after
     * the request's variables were exported over them; {@code __sg_ppid} and {@code __sg_pwd} hold the shell's own
     * {@code $PPID} and {@code $PWD} from before.
     */
    static final String AS_AT_START = String.join("\n",
            "IFS=' \t\n'; OPTIND=1; PPID=$__sg_ppid",
            "case $PWD in /*) [ \"$PWD\" -ef . ] || PWD=$__sg_pwd ;; *) PWD=$__sg_pwd ;; esac");

    static final String SCRIPT = String.join("\n",
            "__sg_read() {",
            "  IFS= read -r __sg_count || exit " + RETIRED_EXIT_CODE,
            "  __sg_value=; __sg_i=0",
            "  while [ \"$__sg_i\" -lt \"$__sg_count\" ]; do",
            "    IFS= read -r __sg_line || exit " + RETIRED_EXIT_CODE,
            "    if [ \"$__sg_i\" -eq 0 ]; then __sg_value=$__sg_line; else __sg_value=\"$__sg_value",
            "$__sg_line\"; fi",
            "    __sg_i=$((__sg_i + 1))",
            "  done",
            "}",
            "__sg_ppid=$PPID",
            "__sg_read; cd -P \"$__sg_value\" || exit " + SETUP_FAILED_EXIT_CODE,
            "__sg_pwd=$PWD; unset OLDPWD",
            "__sg_read; __sg_n=$__sg_value",
            "while [ \"$__sg_n\" -gt 0 ]; do",
            "  __sg_read; export \"$__sg_value\" || exit " + SETUP_FAILED_EXIT_CODE,
            "  __sg_n=$((__sg_n - 1))",
            "done",
            AS_AT_START,
            "__sg_read; __sg_stdin=$__sg_value",
            "__sg_read; [ \"$__sg_stdin\" = 1 ] || exec </dev/null",
            "unset -f __sg_read; unset __sg_count __sg_i __sg_line __sg_n __sg_ppid __sg_pwd __sg_stdin",
            "eval \"unset __sg_value; $__sg_value\"",
            "");

    private static final java.util.regex.Pattern SHELL_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private WarmShell() {
    }

    /**
     * The request that makes a warm shell run {@code command} in {@code directory} (as the shell sees it) with
     * {@code env} exported over its minimal environment; empty when it cannot be handed to a shell.
     */
    static Optional<byte[]> request(String directory, Map<String, String> env, String command) {
        return request(directory, env, command, false);
    }

    /**
     * As {@link #request(String, Map, String)}; with {@code stdin} the shell keeps reading its input pipe after the
     * request, so that what is written to it next is the command's input.
     */
    static Optional<byte[]> request(String directory, Map<String, String> env, String command, boolean stdin) {
        StringBuilder out = new StringBuilder(command.length() + directory.length() + 64);
        value(out, directory);
        value(out, Integer.toString(env.size()));
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith(PREFIX) || e.getValue().indexOf('\0') >= 0) {
                return Optional.empty();
            }
            value(out, e.getKey() + "=" + e.getValue());
        }
        if (command.indexOf('\0') >= 0 || directory.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        value(out, stdin ? "1" : "0");
        value(out, command);
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        return bytes.length > MAX_REQUEST_BYTES ? Optional.empty() : Optional.of(bytes);
    }

    /**
     * The same hand-over as a script for {@code .} (see {@link Isolation#UNCONFINED_PRELUDE}), for a shell started for
     * its command without isolation: one {@code export NAME='value'} per variable (names are shell identifiers, the
     * domain's rule; values single-quoted, so that nothing in them is expanded or run), then {@link #AS_AT_START}.
     * Variables of the script's own prefix come last, after its own are unset, so that none is lost.
     */
    static byte[] exports(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        env.forEach((name, value) -> {
            if (!name.startsWith(PREFIX)) {
                export(out, name, value);
            }
        });
        out.append(AS_AT_START).append('\n').append("unset __sg_ppid __sg_pwd\n");
        env.forEach((name, value) -> {
            if (name.startsWith(PREFIX)) {
                export(out, name, value);
            }
        });
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void export(StringBuilder out, String name, String value) {
        if (!SHELL_NAME.matcher(name).matches() || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment variable '" + name + "' cannot be handed to a shell");
        }
        out.append("export ").append(name).append("='").append(value.replace("'", "'\\''")).append("'\n");
    }

    private static void value(StringBuilder out, String value) {
        String[] lines = value.split("\n", -1);
        out.append(lines.length).append('\n');
        for (String line : lines) {
            out.append(line).append('\n');
        }
    }
}
