package dev.sandgate.ports;

import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.FindMatch;
import dev.sandgate.domain.FindQuery;
import dev.sandgate.domain.GrepMatch;
import dev.sandgate.domain.GrepQuery;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import java.util.List;
import java.util.Optional;

/**
 * A data plane that hands every call to {@link #delegate()}, asked for anew on each call (so that a subclass can
 * check something first, such as a session). The composed defaults of the port ({@code execStreaming},
 * {@code find}, {@code grep}) are forwarded too, so that a delegate's native forms are used.
 */
public abstract class ForwardingDataPlane implements DataPlane {
    /** The data plane this call goes to. */
    protected abstract DataPlane delegate();

    @Override
    public SandboxName sandbox() {
        return delegate().sandbox();
    }

    @Override
    public ProcessInfo exec(ProcessSpec spec) {
        return delegate().exec(spec);
    }

    @Override
    public java.util.concurrent.CompletionStage<ProcessInfo> execAsync(ProcessSpec spec) {
        return delegate().execAsync(spec);
    }

    @Override
    public ProcessInfo execStreaming(ProcessSpec spec, LogListener listener) {
        return delegate().execStreaming(spec, listener);
    }

    @Override
    public List<ProcessInfo> listProcesses() {
        return delegate().listProcesses();
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return delegate().getProcess(identifier);
    }

    @Override
    public ProcessInfo stopProcess(String identifier) {
        return delegate().stopProcess(identifier);
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        return delegate().killProcess(identifier);
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return delegate().logs(identifier);
    }

    @Override
    public void writeStdin(String identifier, byte[] data) {
        delegate().writeStdin(identifier, data);
    }

    @Override
    public void closeStdin(String identifier) {
        delegate().closeStdin(identifier);
    }

    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        return delegate().streamLogs(identifier, listener);
    }

    @Override
    public LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        return delegate().streamLogs(identifier, cursor, listener);
    }

    @Override
    public FileEntry stat(SandboxPath path) {
        return delegate().stat(path);
    }

    @Override
    public FileContent readFile(SandboxPath path) {
        return delegate().readFile(path);
    }

    @Override
    public String readText(SandboxPath path) {
        return delegate().readText(path);
    }

    @Override
    public DirectoryListing listDirectory(SandboxPath path) {
        return delegate().listDirectory(path);
    }

    @Override
    public FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
        return delegate().writeFile(path, content, permissions);
    }

    @Override
    public FileEntry makeDirectory(SandboxPath path, String permissions) {
        return delegate().makeDirectory(path, permissions);
    }

    @Override
    public void remove(SandboxPath path, boolean recursive) {
        delegate().remove(path, recursive);
    }

    @Override
    public List<FindMatch> find(SandboxPath root, FindQuery query) {
        return delegate().find(root, query);
    }

    @Override
    public List<GrepMatch> grep(SandboxPath root, GrepQuery query) {
        return delegate().grep(root, query);
    }

    @Override
    public LogSubscription watch(SandboxPath root, List<String> ignore, FileEventListener listener) {
        return delegate().watch(root, ignore, listener);
    }
}
