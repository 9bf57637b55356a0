package dev.sandgate.ports.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionScopes;
import dev.sandgate.domain.SessionScopes.Operation;
import dev.sandgate.domain.TokenValue;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.contract.InMemorySandboxGateway;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OwnedProcessesTest {
    private static final SandboxName BOX = SandboxName.of("box");
    private static final PreviewName A = PreviewName.of("session-a");
    private static final PreviewName B = PreviewName.of("session-b");

    private final InMemorySandboxGateway gateway = new InMemorySandboxGateway();
    private final DataPlane sandbox;

    OwnedProcessesTest() {
        gateway.createSandbox(SandboxSpec.of(BOX));
        sandbox = gateway.dataPlane(BOX);
    }

    private static AccessDecision.Grant token(PreviewName session, SessionScopes scopes) {
        return new AccessDecision.Grant(BOX, session, AccessDecision.Credential.TOKEN,
                Optional.of(TokenValue.of("bxp_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")), Optional.of(Instant.parse("2030-01-01T00:00:00Z")), scopes);
    }

    private ProcessInfo startAs(PreviewName session, String name) {
        return sandbox.exec(ProcessSpec.of("sleep 60").withName(name).withStartedBy(Optional.of(session)));
    }

    @Test
    void a_session_limited_to_its_own_processes_resolves_a_shared_name_to_its_own_and_never_to_another() {
        ProcessInfo ofA = startAs(A, "web");
        sandbox.killProcess(ofA.pid());
        ProcessInfo ofB = startAs(B, "web");
        DataPlane asA = OwnedProcesses.of(sandbox, token(A, SessionScopes.of(Operation.PROCESS_READ,
                Operation.PROCESS_SIGNAL)));

        assertThat(asA.listProcesses()).extracting(ProcessInfo::pid).containsExactly(ofA.pid());
        assertThat(asA.getProcess("web").pid()).isEqualTo(ofA.pid());
        assertThatThrownBy(() -> asA.getProcess(ofB.pid())).isInstanceOf(SandgateException.NotFound.class)
                .hasMessage("process not found");
        try {
            asA.killProcess("web"); // A's own, ended: whatever the sandbox answers for that, never B's
        } catch (SandgateException.NotFound ended) {
            // the local runtime's answer for a process that is not running
        }
        assertThat(sandbox.getProcess(ofB.pid()).isRunning()).isTrue();
    }

    @Test
    void full_scopes_process_others_and_the_api_key_reach_every_process() {
        startAs(A, "web");
        AccessDecision.Grant apiKey = new AccessDecision.Grant(BOX, A, AccessDecision.Credential.API_KEY,
                Optional.empty(), Optional.empty());

        assertThat(OwnedProcesses.of(sandbox, token(B, SessionScopes.full()))).isSameAs(sandbox);
        assertThat(OwnedProcesses.of(sandbox, token(B, SessionScopes.of(Operation.PROCESS_READ,
                Operation.PROCESS_OTHERS)))).isSameAs(sandbox);
        assertThat(OwnedProcesses.of(sandbox, apiKey)).isSameAs(sandbox);
        assertThat(AccessDecision.owner(apiKey)).isEmpty();
        assertThat(AccessDecision.owner(token(B, SessionScopes.full()))).contains(B);
    }

    @Test
    void a_scoped_session_cannot_resume_the_log_stream_of_another_sessions_process_by_its_cursor() {
        ProcessInfo ofB = startAs(B, "web");
        DataPlane asA = OwnedProcesses.of(sandbox, token(A, SessionScopes.of(Operation.PROCESS_READ)));

        assertThatThrownBy(() -> asA.streamLogs(ofB.pid(), 0, new dev.sandgate.ports.LogListener() {
            @Override
            public void onLine(dev.sandgate.domain.LogLine line) {
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onError(SandgateException error) {
            }
        })).isInstanceOf(SandgateException.NotFound.class).hasMessage("process not found");
    }
}
