package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart stays true: its Java program, taken from docs/quickstart.md itself, compiles against the modules
 * and runs against a real broker; the Maven coordinates it shows are the build's own.
 */
class QuickstartDocTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DOC = ROOT.resolve("docs").resolve("quickstart.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern XML_BLOCK = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path work;

    @Test
    void the_quickstart_program_runs_against_a_broker_with_nothing_but_the_session() throws Exception {
        String program = block(JAVA_BLOCK, "public class Quickstart");
        Path source = work.resolve("src").resolve("Quickstart.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, program);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-proc:none", "-d", classes.toString(),
                "-classpath", testClassPath(), source.toString());
        assertThat(status).as("javac says: %s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        String output;
        try (SandgateApp broker = SandgateApp.start(TestSettings.defaults(work.resolve("data")).toBuilder().port(0)
                .allowUnisolatedSessions(true).build(), Clock.systemUTC(), new SecureRandom());
             URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                     getClass().getClassLoader())) {
            Method main = loader.loadClass("Quickstart").getMethod("main", String[].class);
            output = capturingStdout(() -> main.invoke(null,
                    (Object) new String[] {broker.publicUrl().toString(), broker.apiKey().value()}));
        }
        assertThat(output.lines()).containsExactly(output.lines().findFirst().orElseThrow(),
                "written with the session alone");
        assertThat(output).startsWith("hello from /");
    }

    @Test
    void the_maven_coordinates_shown_are_the_build_s_own() throws IOException {
        String xml = block(XML_BLOCK, "sandgate-bom");
        String version = firstTag(Files.readString(ROOT.resolve("pom.xml")), "version");
        String bom = Files.readString(ROOT.resolve("bom").resolve("pom.xml"));

        assertThat(xml).contains("<version>" + version + "</version>");
        assertThat(firstTag(bom.substring(bom.indexOf("<artifactId>sandgate-bom")), "version"))
                .as("the BOM's version is the build's").isEqualTo(version);
        Matcher artifacts = Pattern.compile("<artifactId>(sandgate-[a-z-]+)</artifactId>").matcher(xml);
        while (artifacts.find()) {
            assertThat(bom).as("the BOM manages %s", artifacts.group(1))
                    .contains("<artifactId>" + artifacts.group(1) + "</artifactId>");
        }
    }

    @Test
    void the_bom_manages_every_module_of_the_build() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("bom").resolve("pom.xml"));
        Matcher modules = Pattern.compile("<module>([a-z-]+)</module>").matcher(parent);
        while (modules.find()) {
            Path pom = ROOT.resolve(modules.group(1)).resolve("pom.xml");
            String module = Files.readString(pom);
            if (module.contains("<packaging>pom</packaging>")) {
                continue; // the docs and the BOM itself: nothing to depend on
            }
            String artifactId = firstTag(module.substring(module.indexOf("</parent>")), "artifactId");
            assertThat(bom).as("bom/pom.xml manages %s", artifactId)
                    .contains("<artifactId>" + artifactId + "</artifactId>");
        }
    }

    private static String block(Pattern fence, String containing) throws IOException {
        Matcher m = fence.matcher(Files.readString(DOC));
        while (m.find()) {
            if (m.group(1).contains(containing)) {
                return m.group(1);
            }
        }
        throw new AssertionError("docs/quickstart.md has no block with " + containing);
    }

    private static String firstTag(String xml, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">([^<]+)</" + tag + ">").matcher(xml);
        assertThat(m.find()).as("<%s> in %s", tag, xml.substring(0, Math.min(80, xml.length()))).isTrue();
        return m.group(1);
    }

    /** The class path Surefire gave these tests (its own launcher jar hides it from {@code java.class.path}). */
    private static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(path.split(File.pathSeparator)).stream().filter(p -> !p.isBlank())
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
    }

    @FunctionalInterface
    private interface Run {
        void run() throws Exception;
    }

    private static String capturingStdout(Run run) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
