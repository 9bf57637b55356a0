package dev.sandgate.ports.usecase;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.Session;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import dev.sandgate.ports.SandboxGateway;
import dev.sandgate.ports.SessionConnector;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-process {@link SessionConnector}: finds the session preview (by its name and URL) in a gateway, and checks
 * the token against that preview's tokens on <em>every</em> call, so that expiry and deletion take effect at once.
 * The first call scans the gateway's sandboxes for the preview; later calls of the same connected session read only
 * that sandbox's preview and its tokens (at most {@link dev.sandgate.domain.PreviewToken#MAX_PER_PREVIEW}).
 * Unknown, foreign, deleted and wrong tokens are all {@code Unauthorized}; an expired one is {@code Expired}.
 */
public final class GatewaySessionConnector implements SessionConnector {
    private final SandboxGateway gateway;
    private final Clock clock;

    public GatewaySessionConnector(SandboxGateway gateway, Clock clock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    @Override
    public DataPlane connect(Session session) {
        Objects.requireNonNull(session, "session must not be null");
        return new Guarded(session);
    }

    /**
     * The sandbox the session opens, checked now. {@code known}, the sandbox an earlier check found (a session's
     * preview lives in exactly one), spares the scan over every sandbox: only its preview and tokens are read.
     */
    private SandboxName authorise(Session session, Optional<SandboxName> known) {
        var now = clock.instant();
        List<SandboxName> candidates = known.isPresent() ? List.of(known.get())
                : gateway.listSandboxes().stream().map(dev.sandgate.domain.Sandbox::name).toList();
        for (SandboxName sandbox : candidates) {
            Optional<Preview> preview;
            try {
                preview = gateway.findPreview(sandbox, session.name());
            } catch (SandgateException.NotFound gone) {
                continue;
            }
            if (preview.isEmpty() || !preview.get().url().equals(session.url()) || !preview.get().isSandboxApi()) {
                continue;
            }
            var token = gateway.listTokens(sandbox, session.name()).stream()
                    .filter(t -> t.value().matches(session.token().value()))
                    .findFirst();
            if (token.isEmpty()) {
                break;
            }
            if (token.get().isExpiredAt(now) || preview.get().isExpiredAt(now)) {
                throw new SandgateException.Expired("session " + session.name() + " expired");
            }
            return sandbox;
        }
        throw new SandgateException.Unauthorized("session token is not valid for this sandbox");
    }

    private final class Guarded implements DataPlane {
        private final Session session;
        /** The sandbox of the session's preview, once a check found it. */
        private volatile SandboxName known;

        Guarded(Session session) {
            this.session = session;
        }

        private SandboxName authorised() {
            SandboxName sandbox = authorise(session, Optional.ofNullable(known));
            known = sandbox;
            return sandbox;
        }

        private DataPlane target() {
            return gateway.dataPlane(authorised());
        }

        @Override
        public SandboxName sandbox() {
            return authorised();
        }

        @Override
        public ProcessInfo exec(ProcessSpec spec) {
            return target().exec(spec);
        }

        @Override
        public List<ProcessInfo> listProcesses() {
            return target().listProcesses();
        }

        @Override
        public ProcessInfo getProcess(String identifier) {
            return target().getProcess(identifier);
        }

        @Override
        public ProcessInfo stopProcess(String identifier) {
            return target().stopProcess(identifier);
        }

        @Override
        public ProcessInfo killProcess(String identifier) {
            return target().killProcess(identifier);
        }

        @Override
        public ProcessLogs logs(String identifier) {
            return target().logs(identifier);
        }

        @Override
        public void writeStdin(String identifier, byte[] data) {
            target().writeStdin(identifier, data);
        }

        @Override
        public void closeStdin(String identifier) {
            target().closeStdin(identifier);
        }

        @Override
        public LogSubscription streamLogs(String identifier, LogListener listener) {
            return target().streamLogs(identifier, listener);
        }

        @Override
        public ProcessInfo execStreaming(ProcessSpec spec, LogListener listener) {
            return target().execStreaming(spec, listener);
        }

        @Override
        public FileEntry stat(SandboxPath path) {
            return target().stat(path);
        }

        @Override
        public FileContent readFile(SandboxPath path) {
            return target().readFile(path);
        }

        @Override
        public DirectoryListing listDirectory(SandboxPath path) {
            return target().listDirectory(path);
        }

        @Override
        public FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
            return target().writeFile(path, content, permissions);
        }

        @Override
        public FileEntry makeDirectory(SandboxPath path, String permissions) {
            return target().makeDirectory(path, permissions);
        }

        @Override
        public void remove(SandboxPath path, boolean recursive) {
            target().remove(path, recursive);
        }

        @Override
        public dev.sandgate.ports.LogSubscription watch(SandboxPath path, java.util.List<String> ignore,
                                                        dev.sandgate.ports.FileEventListener listener) {
            return target().watch(path, ignore, listener);
        }
    }
}
