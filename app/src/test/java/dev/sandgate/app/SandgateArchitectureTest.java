package dev.sandgate.app;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The dependency rule of the whole program, checked over every module's classes: the domain needs nothing, the ports
 * need only the domain, each adapter only the ports and the domain, and no adapter another. The composition root
 * ({@code dev.sandgate.app}) is the one place that knows them all.
 */
@AnalyzeClasses(packages = "dev.sandgate", importOptions = ImportOption.DoNotIncludeTests.class)
class SandgateArchitectureTest {

    @ArchTest
    static final ArchRule dependencies_point_inward_from_adapters_to_ports_to_the_domain = onionArchitecture()
            .domainModels("dev.sandgate.domain..")
            .applicationServices("dev.sandgate.ports..")
            .adapter("local", "dev.sandgate.adapter.local..")
            .adapter("retrofit", "dev.sandgate.adapter.retrofit..")
            .adapter("vertx", "dev.sandgate.adapter.vertx..")
            .adapter("redis", "dev.sandgate.adapter.redis..")
            .withOptionalLayers(true)
            .ignoreDependency(resideInAPackage("dev.sandgate.app.."), alwaysTrue())
            .because("the domain and the ports must not know which technology serves them; only app wires adapters");

    /** The rules above see every module, so they cannot pass by looking at nothing. */
    @ArchTest
    static void every_module_is_imported(JavaClasses classes) {
        for (String name : List.of("dev.sandgate.domain.Session", "dev.sandgate.ports.SandboxGateway",
                "dev.sandgate.adapter.local.LocalSandboxGateway", "dev.sandgate.adapter.retrofit.RetrofitSandboxGateway",
                "dev.sandgate.adapter.vertx.BrokerServer", "dev.sandgate.adapter.redis.RedisAccessStore",
                "dev.sandgate.app.Main")) {
            assertThat(classes.contain(name)).as("%s is imported", name).isTrue();
        }
    }

    @ArchTest
    static final ArchRule adapters_never_depend_on_each_other = slices()
            .matching("dev.sandgate.adapter.(*)..")
            .should().notDependOnEachOther()
            .because("adapters are swappable: each one stands on the ports alone");
}
