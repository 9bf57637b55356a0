package dev.sandgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandgate.domain.SessionScopes.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionScopesTest {
    @Test
    void full_scopes_allow_every_operation_path_and_port() {
        SessionScopes full = SessionScopes.full();
        assertThat(full.isFull()).isTrue();
        for (Operation o : Operation.values()) {
            assertThat(full.allows(o)).isTrue();
        }
        assertThat(full.allowsPath(SandboxPath.of("/etc/passwd"))).isTrue();
        assertThat(full.allowsPort(Port.of(22))).isTrue();
    }

    @Test
    void full_scopes_reach_the_processes_of_other_sessions_and_listed_operations_without_it_do_not() {
        assertThat(SessionScopes.full().allows(Operation.PROCESS_OTHERS)).isTrue();
        assertThat(Operation.of("process:others")).isEqualTo(Operation.PROCESS_OTHERS);
        SessionScopes allButOthers = new SessionScopes(java.util.EnumSet.complementOf(
                java.util.EnumSet.of(Operation.PROCESS_OTHERS)), java.util.Optional.empty(), java.util.Optional.empty());
        assertThat(allButOthers.isFull()).isFalse();
        assertThat(allButOthers.allows(Operation.PROCESS_OTHERS)).isFalse();
    }

    @Test
    void a_session_without_options_keeps_full_scopes() {
        assertThat(SessionOptions.DEFAULTS.policy().scopes()).isEqualTo(SessionScopes.full());
        assertThat(SessionOptions.builder().build().policy().isDefault()).isTrue();
        assertThat(PreviewSpec.privatePort("p", 443).policy()).isEqualTo(SessionPolicy.DEFAULT);
    }

    @Test
    void a_prefix_allows_itself_and_below_but_not_a_sibling_with_the_same_start() {
        SessionScopes s = SessionScopes.of(Operation.FS_READ).withPaths("/app");
        assertThat(s.allowsPath(SandboxPath.of("/app"))).isTrue();
        assertThat(s.allowsPath(SandboxPath.of("/app/src/a.txt"))).isTrue();
        assertThat(s.allowsPath(SandboxPath.of("/application"))).isFalse();
        assertThat(s.allowsPath(SandboxPath.of("/app/../etc/passwd"))).isFalse();
        assertThat(s.allowsPath(SandboxPath.ROOT)).isFalse();
    }

    @Test
    void a_prefix_given_with_dot_dot_is_normalised_first() {
        SessionScopes s = SessionScopes.of(Operation.FS_READ).withPaths("/app/../tmp/");
        assertThat(s.paths()).contains(List.of(SandboxPath.of("/tmp")));
    }

    @Test
    void operations_are_named_as_on_the_wire() {
        assertThat(Operation.of("FS:Write")).isEqualTo(Operation.FS_WRITE);
        assertThat(SessionScopes.of(Operation.PROCESS_SIGNAL, Operation.FS_READ).operationNames())
                .containsExactly("fs:read", "process:signal");
        assertThatThrownBy(() -> Operation.of("fs:everything")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fs:everything").hasMessageContaining("fs:watch");
    }

    @Test
    void ports_limit_what_a_process_may_be_waited_on() {
        SessionScopes s = SessionScopes.of(Operation.PROCESS_EXEC).withPorts(List.of(Port.of(3000)));
        assertThat(s.allowsPort(Port.of(3000))).isTrue();
        assertThat(s.allowsPort(Port.of(5432))).isFalse();
        assertThat(s.isFull()).isFalse();
    }

    @Test
    void options_carry_the_scopes_they_are_built_with() {
        SessionScopes s = SessionScopes.of(Operation.FS_READ);
        assertThat(SessionOptions.builder().scopes(s).build().policy().scopes()).isEqualTo(s);
        assertThat(PreviewSpec.privatePort("p", 443).withPolicy(SessionPolicy.of(s)).withExpires(java.time.Instant.EPOCH)
                .policy().scopes()).isEqualTo(s);
    }
}
