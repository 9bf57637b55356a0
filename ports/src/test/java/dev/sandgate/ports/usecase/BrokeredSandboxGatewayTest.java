package dev.sandgate.ports.usecase;

import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.UrlScheme;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import dev.sandgate.ports.contract.SandboxGatewayContract;
import java.net.URI;
import java.time.Clock;

/** A broker in front of a provider keeps the contract: compute from the provider, access from its own store. */
class BrokeredSandboxGatewayTest extends SandboxGatewayContract {
    private InMemorySandboxGateway provider;

    @Override
    protected SandboxGateway newGateway() {
        provider = new InMemorySandboxGateway(Clock.systemUTC());
        return new BrokeredSandboxGateway(provider, new MapAccessStore(),
                UrlScheme.under(URI.create("http://broker.invalid/"), "ws"), Clock.systemUTC());
    }

    @Override
    protected SessionConnector sessionConnector(SandboxGateway gateway) {
        return new GatewaySessionConnector(gateway, Clock.systemUTC());
    }

    @Override
    protected void closeGateway(SandboxGateway gateway) {
        provider.close();
    }
}
