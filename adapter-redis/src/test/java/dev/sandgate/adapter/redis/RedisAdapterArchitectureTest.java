package dev.sandgate.adapter.redis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.sandgate.adapter.redis", importOptions = ImportOption.DoNotIncludeTests.class)
class RedisAdapterArchitectureTest {
    @ArchTest
    static final ArchRule the_redis_adapter_depends_only_on_domain_ports_the_jdk_slf4j_and_lettuce =
            classes().that().resideInAPackage("dev.sandgate.adapter.redis..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(
                            "dev.sandgate.adapter.redis..",
                            "dev.sandgate.domain..",
                            "dev.sandgate.ports..",
                            "java..",
                            "javax.crypto..",
                            "org.slf4j..",
                            "io.lettuce.core..")
                    .because("adapters stand on the ports alone (never on another adapter or the app), and the "
                            + "Redis client is the one library this one takes");

    @ArchTest
    static final ArchRule the_redis_adapter_does_not_use_the_use_cases =
            noClasses().that().resideInAPackage("dev.sandgate.adapter.redis..")
                    .should().dependOnClassesThat().resideInAPackage("dev.sandgate.ports.usecase..")
                    .because("an adapter implements driven ports; the use cases are written over it, not under it");
}
