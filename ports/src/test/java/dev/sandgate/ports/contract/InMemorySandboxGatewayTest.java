package dev.sandgate.ports.contract;

import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.usecase.GatewaySessionConnector;
import java.time.Clock;

/** The test double keeps the contract, so tests written against it mean something for the real adapters. */
class InMemorySandboxGatewayTest extends SandboxGatewayContract {
    @Override
    protected SandboxGateway newGateway() {
        return new InMemorySandboxGateway(Clock.systemUTC());
    }

    @Override
    protected SessionConnector sessionConnector(SandboxGateway gateway) {
        return new GatewaySessionConnector(gateway, Clock.systemUTC());
    }

    @Override
    protected void closeGateway(SandboxGateway gateway) {
        ((InMemorySandboxGateway) gateway).close();
    }
}
