package dev.sandgate.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The examples show how a user's code uses Sandgate: through the use-case API and the HTTP client, as a client of a
 * broker. They may start the program ({@code dev.sandgate.app}) but never reach into the broker or the local runtime.
 */
@AnalyzeClasses(packages = "dev.sandgate.examples", importOptions = ImportOption.DoNotIncludeTests.class)
class ExamplesArchitectureTest {

    @ArchTest
    static final ArchRule examples_reach_sandboxes_only_as_clients_of_a_broker = noClasses()
            .that().resideInAPackage("dev.sandgate.examples..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.sandgate.adapter.local..",
                    "dev.sandgate.adapter.vertx..")
            .because("an example is what a user writes: the broker's internals and the local runtime are not "
                    + "its API");

    /** The rule sees the examples, so it cannot pass by looking at nothing. */
    @ArchTest
    static void the_examples_are_imported(JavaClasses classes) {
        assertThat(classes.contain("dev.sandgate.examples.web.ExampleMain")).isTrue();
        assertThat(classes.contain("dev.sandgate.examples.SessionHandoff")).isTrue();
    }
}
