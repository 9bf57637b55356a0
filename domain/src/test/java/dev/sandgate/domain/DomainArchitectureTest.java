package dev.sandgate.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.domain", importOptions = ImportOption.DoNotIncludeTests.class)
class DomainArchitectureTest {
    @ArchTest
    static final ArchRule domain_depends_only_on_the_jdk = classes()
            .that().resideInAPackage("dev.sandgate.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sandgate.domain..", "java..")
            .because("the domain holds the rules and must stay testable and reusable without any framework");

    @ArchTest
    static final ArchRule domain_never_reads_the_wall_clock = noClasses()
            .that().resideInAPackage("dev.sandgate.domain..")
            .should().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
            .orShould().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .because("rules take the time as an argument, so that they are testable to the millisecond");
}
