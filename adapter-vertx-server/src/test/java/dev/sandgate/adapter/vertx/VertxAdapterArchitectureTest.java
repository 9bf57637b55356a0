package dev.sandgate.adapter.vertx;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.adapter.vertx", importOptions = ImportOption.DoNotIncludeTests.class)
class VertxAdapterArchitectureTest {
    @ArchTest
    static final ArchRule the_broker_depends_only_on_the_core_vertx_netty_jackson_and_slf4j =
            classes().that().resideInAPackage("dev.sandgate.adapter.vertx..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(
                            "dev.sandgate.domain..", "dev.sandgate.ports..", "dev.sandgate.adapter.vertx..",
                            "java..", "io.vertx..", "io.netty..", "com.fasterxml.jackson..", "org.slf4j..")
                    .because("the broker is an adapter: it serves the ports over Vert.x and knows no other adapter");

    @ArchTest
    static final ArchRule the_broker_uses_no_use_case_of_the_client_side =
            classes().that().resideInAPackage("dev.sandgate.adapter.vertx..")
                    .should().onlyDependOnClassesThat().resideOutsideOfPackage("dev.sandgate.ports.usecase..")
                    .because("the broker serves the driven ports directly; the use-case API is for clients");
}
