package dev.sandgate.adapter.local;

import dev.sandgate.adapter.local.process.LocalProcesses;
import dev.sandgate.domain.DirectoryListing;
import dev.sandgate.domain.EnvVar;
import dev.sandgate.domain.FileContent;
import dev.sandgate.domain.FileEntry;
import dev.sandgate.domain.ProcessInfo;
import dev.sandgate.domain.ProcessLogs;
import dev.sandgate.domain.ProcessSpec;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxPath;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.FileEventListener;
import dev.sandgate.ports.LogListener;
import dev.sandgate.ports.LogSubscription;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** One local sandbox's processes and files behind the port; a process gets the sandbox's environment. */
final class LocalDataPlane implements DataPlane {
    private final LocalSandbox state;
    private final SandboxName sandbox;
    private final LocalProcesses processes;
    private final LocalFiles files;

    LocalDataPlane(LocalSandbox state, LocalProcesses processes, LocalFiles files) {
        this.state = state;
        this.sandbox = state.sandbox().name();
        this.processes = processes;
        this.files = files;
    }

    @Override
    public SandboxName sandbox() {
        return sandbox;
    }

    @Override
    public ProcessInfo exec(ProcessSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return processes.exec(withSandboxEnv(spec, state.sandbox().envs()));
    }

    @Override
    public CompletionStage<ProcessInfo> execAsync(ProcessSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        return processes.execAsync(withSandboxEnv(spec, state.sandbox().envs()));
    }

    @Override
    public List<ProcessInfo> listProcesses() {
        return processes.listProcesses();
    }

    @Override
    public ProcessInfo getProcess(String identifier) {
        return processes.getProcess(identifier);
    }

    @Override
    public ProcessInfo stopProcess(String identifier) {
        return processes.stopProcess(identifier);
    }

    @Override
    public ProcessInfo killProcess(String identifier) {
        return processes.killProcess(identifier);
    }

    @Override
    public ProcessLogs logs(String identifier) {
        return processes.logs(identifier);
    }

    @Override
    public void writeStdin(String identifier, byte[] data) {
        processes.writeStdin(identifier, data);
    }

    @Override
    public void closeStdin(String identifier) {
        processes.closeStdin(identifier);
    }

    @Override
    public LogSubscription streamLogs(String identifier, LogListener listener) {
        return processes.streamLogs(identifier, listener);
    }

    @Override
    public LogSubscription streamLogs(String identifier, long cursor, LogListener listener) {
        return processes.streamLogs(identifier, cursor, listener);
    }

    @Override
    public FileEntry stat(SandboxPath path) {
        return files.stat(path);
    }

    @Override
    public FileContent readFile(SandboxPath path) {
        return files.readFile(path);
    }

    @Override
    public DirectoryListing listDirectory(SandboxPath path) {
        return files.listDirectory(path);
    }

    @Override
    public FileEntry writeFile(SandboxPath path, byte[] content, Optional<String> permissions) {
        return files.writeFile(path, content, permissions);
    }

    @Override
    public FileEntry makeDirectory(SandboxPath path, String permissions) {
        return files.makeDirectory(path, permissions);
    }

    @Override
    public void remove(SandboxPath path, boolean recursive) {
        files.remove(path, recursive);
    }

    @Override
    public LogSubscription watch(SandboxPath path, List<String> ignore, FileEventListener listener) {
        return files.watch(path, ignore, listener);
    }

    @Override
    public String toString() {
        return "LocalDataPlane[" + sandbox + "]";
    }

    /**
     * A process's environment: the sandbox's {@code envs} (as they are now), with the process's own {@code env}
     * laid over them.
     */
    static ProcessSpec withSandboxEnv(ProcessSpec spec, List<EnvVar> sandboxEnv) {
        if (sandboxEnv.isEmpty()) {
            return spec;
        }
        Map<String, String> merged = new LinkedHashMap<>();
        sandboxEnv.forEach(e -> merged.put(e.name(), e.value()));
        merged.putAll(spec.env());
        try {
            return spec.withEnv(merged);
        } catch (IllegalArgumentException e) {
            throw new SandgateException.InvalidRequest("the sandbox's and the process's environment together are "
                    + "invalid: " + e.getMessage());
        }
    }
}
