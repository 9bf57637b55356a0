package dev.sandgate.ports.usecase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A sandbox instance keeps the data plane it opened, and its typed and string forms name the same things. */
class SandboxInstanceTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final InMemorySandboxGateway real = new InMemorySandboxGateway(clock);
    private final AtomicInteger dataPlaneLookUps = new AtomicInteger();
    /** The real gateway, counting how often a data plane is looked up (over HTTP, each look-up is a GET). */
    private final SandboxGateway counting = (SandboxGateway) Proxy.newProxyInstance(
            SandboxGateway.class.getClassLoader(), new Class<?>[] {SandboxGateway.class}, (proxy, method, args) -> {
                if (method.getName().equals("dataPlane")) {
                    dataPlaneLookUps.incrementAndGet();
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    @AfterEach
    void close() {
        real.close();
    }

    @Test
    void process_and_fs_look_the_data_plane_up_once_for_the_instance() {
        SandboxInstance sandbox = Sandgate.create(counting, clock).sandboxes().createIfNotExists("box");
        assertThat(dataPlaneLookUps).as("nothing is opened before it is used").hasValue(0);

        sandbox.fs().write("/app/a.txt", "one");
        sandbox.fs().read("/app/a.txt");
        sandbox.process().list();
        sandbox.process().exec(ProcessSpec.of("echo hi"));
        sandbox.fs().ls("/app");

        assertThat(dataPlaneLookUps).hasValue(1);
    }

    @Test
    void string_names_reach_the_same_sandbox_as_typed_ones() {
        Sandboxes sandboxes = Sandgate.create(real, clock).sandboxes();
        sandboxes.createIfNotExists("box").fs().write("/app/a.txt", "hello");

        assertThat(sandboxes.get("box").name()).isEqualTo(SandboxName.of("box"));
        assertThat(sandboxes.get(SandboxName.of("box")).fs().read(dev.sandgate.domain.SandboxPath.of("/app/a.txt")))
                .isEqualTo("hello");
        assertThat(sandboxes.delete("box").name()).isEqualTo(SandboxName.of("box"));
        assertThat(real.findSandbox(SandboxName.of("box"))).isEmpty();
    }
}
