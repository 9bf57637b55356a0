package dev.sandgate.adapter.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.adapter.local", importOptions = ImportOption.DoNotIncludeTests.class)
class LocalAdapterArchitectureTest {
    @ArchTest
    static final ArchRule the_local_adapter_depends_only_on_domain_ports_the_jdk_slf4j_and_moshi =
            classes().that().resideInAPackage("dev.sandgate.adapter.local..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(
                            "dev.sandgate.adapter.local..",
                            "dev.sandgate.domain..",
                            "dev.sandgate.ports..",
                            "java..",
                            "javax.crypto..",
                            "org.slf4j..",
                            "com.squareup.moshi..")
                    .because("adapters stand on the ports alone (never on another adapter or the app), and every "
                            + "library they take is one more thing to keep; javax.crypto is the JDK's HMAC");

    @ArchTest
    static final ArchRule only_the_persistence_classes_touch_the_json_library =
            noClasses().that().resideInAPackage("dev.sandgate.adapter.local..")
                    .and().doNotHaveSimpleName("LocalJson")
                    .and().doNotHaveSimpleName("LocalRecords")
                    .and().areNotNestedClasses()
                    .should().dependOnClassesThat().resideInAPackage("com.squareup.moshi..")
                    .because("the on-disk format is one concern in two classes, so the JSON library can be swapped");

    @ArchTest
    static final ArchRule the_local_adapter_does_not_use_the_use_cases =
            noClasses().that().resideInAPackage("dev.sandgate.adapter.local..")
                    .should().dependOnClassesThat().resideInAPackage("dev.sandgate.ports.usecase..")
                    .because("an adapter implements driven ports; the use cases are written over it, not under it");
}
