package dev.sandgate.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * CPU time (utime + stime, in clock ticks of 10 ms) of this JVM's threads, grouped by what they do, and of another
 * process: what a benchmark reads before and after a phase to say where the phase's CPU went.
 */
final class CpuTicks {
    private CpuTicks() {
    }

    /** This JVM's threads' ticks by group ({@code group} maps a thread's name to it); JIT compiler threads left out. */
    static Map<String, Long> threads(Function<String, String> group) {
        Map<String, Long> ticks = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (name.contains("CompilerThre")) {
                    continue;
                }
                ticks.merge(group.apply(name), ticksOf(stat), Long::sum);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ticks;
    }

    /** utime + stime of a process, in ticks; 0 once it is gone. */
    static long process(long pid) {
        try {
            return ticksOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException gone) {
            return 0;
        }
    }

    /** {@code after - before} per group, as µs per operation, on one line. */
    static String perOperation(Map<String, Long> before, Map<String, Long> after, long operations) {
        StringBuilder line = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long spent = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            total += spent;
            line.append(String.format(Locale.ROOT, " %s %.0f", e.getKey(), micros(spent, operations)));
        }
        return String.format(Locale.ROOT, "CPU µs/op %.0f:", micros(total, operations)) + line;
    }

    private static double micros(long ticks, long operations) {
        return operations == 0 ? 0 : ticks * 10_000.0 / operations;
    }

    private static long ticksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
