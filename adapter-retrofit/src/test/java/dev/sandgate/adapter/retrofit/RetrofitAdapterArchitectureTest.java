package dev.sandgate.adapter.retrofit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.adapter.retrofit", importOptions = ImportOption.DoNotIncludeTests.class)
class RetrofitAdapterArchitectureTest {
    @ArchTest
    static final ArchRule retrofit_adapter_depends_only_on_the_core_and_its_http_stack = classes()
            .that().resideInAPackage("dev.sandgate.adapter.retrofit..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("dev.sandgate.adapter.retrofit..",
                    "dev.sandgate.domain..", "dev.sandgate.ports..", "java..", "retrofit2..", "okhttp3..", "okio..",
                    "com.squareup.moshi..", "kotlin..", "org.jetbrains.annotations..")
            .because("an adapter stands on the ports and its own technology, never on another adapter");

    @ArchTest
    static final ArchRule only_the_client_and_gateway_are_public = classes()
            .that().resideInAPackage("dev.sandgate.adapter.retrofit..").and().arePublic().and().areTopLevelClasses()
            .should().haveSimpleNameStartingWith("SandgateClient").orShould().haveSimpleName("RetrofitSandboxGateway")
            .because("Retrofit interfaces and wire classes are details that must not leak to users");

    @ArchTest
    static final ArchRule no_http_types_in_public_signatures = noClasses()
            .that().resideInAPackage("dev.sandgate.adapter.retrofit..").and().haveSimpleName("RetrofitSandboxGateway")
            .should().dependOnClassesThat().resideInAPackage("retrofit2.http..")
            .because("no Retrofit type crosses the port");
}
