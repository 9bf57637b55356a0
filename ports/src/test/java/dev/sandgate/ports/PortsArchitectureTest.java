package dev.sandgate.ports;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.ports", importOptions = ImportOption.DoNotIncludeTests.class)
class PortsArchitectureTest {
    @ArchTest
    static final ArchRule ports_depend_only_on_the_domain_and_the_jdk = classes()
            .that().resideInAPackage("dev.sandgate.ports..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sandgate.ports..", "dev.sandgate.domain..",
                    "java..")
            .because("the ports name what the core needs and offers; technology lives in the adapters");

    @ArchTest
    static final ArchRule driven_ports_do_not_know_the_use_cases = classes()
            .that().resideInAPackage("dev.sandgate.ports")
            .should().onlyDependOnClassesThat().resideOutsideOfPackage("dev.sandgate.ports.usecase..")
            .because("the use cases are written over the driven ports, never the other way round");
}
