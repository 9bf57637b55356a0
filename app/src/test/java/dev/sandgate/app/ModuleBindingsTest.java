package dev.sandgate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.sandgate.adapter.local.FileAccessStore;
import dev.sandgate.adapter.local.LocalSandboxGateway;
import dev.sandgate.adapter.retrofit.SandgateClient;
import dev.sandgate.adapter.vertx.BrokerSettings;
import dev.sandgate.ports.AccessStore;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.usecase.BrokeredSandboxGateway;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each Guice module says what it needs: leaving a port unbound fails when the injector is created, naming it. */
class ModuleBindingsTest {
    @TempDir
    Path dataDir;

    private final Lifecycle lifecycle = new Lifecycle();

    @AfterEach
    void closeWhatWasOpened() {
        lifecycle.close();
    }

    private CoreModule core() {
        return core(TestSettings.defaults(dataDir));
    }

    private CoreModule core(AppSettings settings) {
        ApiKey key = new ApiKey("test-key-0123456789abcdef", Optional.empty(), false);
        return new CoreModule(settings, key, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
                lifecycle);
    }

    @Nested
    class CoreModuleBindings {
        @Test
        void it_needs_nothing_and_derives_the_broker_settings() {
            Injector injector = Guice.createInjector(core());

            BrokerSettings broker = injector.getInstance(BrokerSettings.class);
            assertThat(broker.host()).isEqualTo("127.0.0.1");
            assertThat(broker.port()).isEqualTo(8080);
            assertThat(broker.workspace()).isEqualTo("default");
            assertThat(broker.apiKey()).isEqualTo("test-key-0123456789abcdef");
        }
    }

    @Nested
    class BrokerModuleBindings {
        @Test
        void without_a_gateway_module_injector_creation_fails_naming_the_sandbox_gateway_and_access_store_ports() {
            assertThatThrownBy(() -> Guice.createInjector(core(), new BrokerModule()))
                    .isInstanceOf(CreationException.class)
                    .hasMessageContaining(missing(SandboxGateway.class))
                    .hasMessageContaining(missing(AccessStore.class));
        }

        @Test
        void without_the_core_module_injector_creation_fails_naming_the_settings() {
            assertThatThrownBy(() -> Guice.createInjector(new BrokerModule(), new LocalGatewayModule()))
                    .isInstanceOf(CreationException.class)
                    .hasMessageContaining(missing(BrokerSettings.class))
                    .hasMessageContaining(missing(AppSettings.class))
                    .hasMessageContaining(missing(Lifecycle.class))
                    .hasMessageContaining(missing(java.time.Clock.class));
        }
    }

    @Nested
    class LocalGatewayModuleBindings {
        @Test
        void without_the_broker_injector_creation_fails_naming_the_url_scheme() {
            assertThatThrownBy(() -> Guice.createInjector(core(), new LocalGatewayModule()))
                    .isInstanceOf(CreationException.class)
                    .hasMessageContaining(missing(UrlScheme.class));
        }

        @Test
        void with_a_url_scheme_it_provides_the_gateway_and_the_access_store() {
            AbstractModule urls = new AbstractModule() {
                @Override
                protected void configure() {
                    bind(UrlScheme.class).toInstance(UrlScheme.under(URI.create("http://127.0.0.1:1"), "default"));
                }
            };
            Injector injector = Guice.createInjector(core(noIsolation()), new LocalGatewayModule(), urls);

            SandboxGateway gateway = injector.getInstance(SandboxGateway.class);
            assertThat(gateway).isInstanceOf(LocalSandboxGateway.class)
                    .isSameAs(injector.getInstance(LocalSandboxGateway.class));
            assertThat(injector.getInstance(AccessStore.class)).isNotNull();
            assertThat(gateway.listSandboxes()).isEmpty();
        }
    }

    @Nested
    class RemoteGatewayModuleBindings {
        @Test
        void without_the_broker_injector_creation_fails_naming_the_url_scheme() {
            assertThatThrownBy(() -> Guice.createInjector(core(remote()), new RemoteGatewayModule()))
                    .isInstanceOf(CreationException.class)
                    .hasMessageContaining(missing(UrlScheme.class));
        }

        @Test
        void without_the_core_module_injector_creation_fails_naming_the_settings_clock_and_lifecycle() {
            assertThatThrownBy(() -> Guice.createInjector(new RemoteGatewayModule(), urls()))
                    .isInstanceOf(CreationException.class)
                    .hasMessageContaining(missing(AppSettings.class))
                    .hasMessageContaining(missing(Clock.class))
                    .hasMessageContaining(missing(Lifecycle.class));
        }

        @Test
        void with_a_url_scheme_it_provides_a_brokered_gateway_and_an_access_store_in_the_data_dir() {
            Injector injector = Guice.createInjector(core(remote()), new RemoteGatewayModule(), urls());

            assertThat(injector.getInstance(SandboxGateway.class)).isInstanceOf(BrokeredSandboxGateway.class);
            assertThat(injector.getInstance(AccessStore.class)).isInstanceOf(FileAccessStore.class)
                    .isSameAs(injector.getInstance(AccessStore.class));
            assertThat(injector.getInstance(SandgateClient.class).baseUrl().toString())
                    .isEqualTo("http://127.0.0.1:1/v0");
            assertThat(dataDir.resolve("access")).isDirectory();
        }

        @Test
        void on_the_local_gateway_settings_it_refuses_to_provide_an_upstream() {
            Injector injector = Guice.createInjector(core(), new RemoteGatewayModule(), urls());

            assertThatThrownBy(() -> injector.getInstance(Upstream.class))
                    .hasMessageContaining("the remote gateway needs an upstream");
        }

        private AppSettings remote() {
            return AppSettings.defaults(dataDir).toBuilder().remote(new Upstream(URI.create("http://127.0.0.1:1/v0"),
                    "upstream-key-0123456789abcdef", "a test", "default")).build();
        }
    }

    @Nested
    class GatewayChoice {
        @Test
        void local_is_wired_by_the_local_gateway_module() {
            assertThat(GatewayModules.of(GatewayKind.LOCAL)).isInstanceOf(LocalGatewayModule.class);
        }

        @Test
        void remote_is_wired_by_the_remote_gateway_module() {
            assertThat(GatewayModules.of(GatewayKind.REMOTE)).isInstanceOf(RemoteGatewayModule.class);
        }
    }

    /** The broker's URL scheme, which the gateway modules need. */
    private static AbstractModule urls() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(UrlScheme.class).toInstance(UrlScheme.under(URI.create("http://127.0.0.1:1"), "default"));
            }
        };
    }

    /** Guice's message for an unbound type (every module requires explicit bindings). */
    private static String missing(Class<?> type) {
        return "Explicit bindings are required and " + type.getSimpleName() + " is not explicitly bound";
    }

    private AppSettings noIsolation() {
        return AppSettings.defaults(dataDir).toBuilder().isolation(dev.sandgate.adapter.local.process.IsolationMode.NONE).build();
    }
}
