package dev.sandgate.adapter.vertx;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.adapter.vertx", importOptions = ImportOption.DoNotIncludeTests.class)
class VertxAdapterArchitectureTest {
    @ArchTest
    static final ArchRule the_broker_depends_only_on_the_core_vertx_netty_jackson_slf4j_and_micrometer =
            classes().that().resideInAPackage("dev.sandgate.adapter.vertx..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(
                            "dev.sandgate.domain..", "dev.sandgate.ports..", "dev.sandgate.adapter.vertx..",
                            "java..", "io.vertx..", "io.netty..", "com.fasterxml.jackson..", "org.slf4j..",
                            "io.micrometer..",
                            "javax.crypto..") // the JDK's HMAC, for the cluster credential
                    .because("the broker is an adapter: it serves the ports over Vert.x and knows no other adapter");

    /*
     * The fence used to keep the broker out of ports.usecase altogether. It moved: the control plane offers what the
     * Java API offers (create-if-not-exists, find by external id, naming a minted token), and two copies of one use
     * case drift, so the broker calls the same use-case services the Java API calls. What stays out is the client
     * side of a session (reaching a sandbox with nothing but a session): the broker is what such a client talks to.
     */
    @ArchTest
    static final ArchRule the_broker_calls_the_use_cases_but_is_never_a_session_client =
            noClasses().that().resideInAPackage("dev.sandgate.adapter.vertx..")
                    .should().dependOnClassesThat().haveFullyQualifiedName("dev.sandgate.ports.usecase.SessionSandbox")
                    .orShould().dependOnClassesThat().haveFullyQualifiedName(
                            "dev.sandgate.ports.usecase.GatewaySessionConnector")
                    .because("the broker shares the use cases of the Java API (one home for each), but a session's "
                            + "client side is what talks to the broker, never part of it");
}
