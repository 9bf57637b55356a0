package dev.sandgate.adapter.local;

import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import dev.sandgate.ports.contract.SandboxGatewayContract;
import dev.sandgate.ports.usecase.GatewaySessionConnector;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The local runtime keeps the behaviour every gateway must have, with real processes and files. */
class LocalSandboxGatewayContractTest extends SandboxGatewayContract {
    @TempDir
    Path dataDir;

    @Override
    protected SandboxGateway newGateway() {
        return TestGateways.open(dataDir);
    }

    @Override
    protected SessionConnector sessionConnector(SandboxGateway gateway) {
        return new GatewaySessionConnector(gateway, Clock.systemUTC());
    }

    @Override
    protected void closeGateway(SandboxGateway gateway) {
        ((LocalSandboxGateway) gateway).close();
    }
}
