package dev.sandgate.app;

import dev.sandgate.domain.NodeId;
import dev.sandgate.domain.NodeInfo;
import dev.sandgate.domain.Port;
import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.PreviewToken;
import dev.sandgate.domain.Sandbox;
import dev.sandgate.domain.SandboxName;
import dev.sandgate.domain.SandboxSpec;
import dev.sandgate.domain.SandgateException;
import dev.sandgate.domain.SessionSubject;
import dev.sandgate.domain.TokenName;
import dev.sandgate.ports.DataPlane;
import dev.sandgate.ports.NodeCatalog;
import dev.sandgate.ports.PortAddress;
import dev.sandgate.ports.SandboxGateway;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's gateway in a cluster, over its {@code local} sandboxes (a node's own; none on a front): creation places
 * the sandbox on a live node ({@link NodeCatalog#place}, the label {@link NodeId#LABEL} honoured), records it in the
 * catalog and creates it there, here or on another node ({@code remote}, over HTTP with the cluster credential), with
 * the node in its labels; deletion forgets the assignment; a list (when {@code aggregate}) is this node's sandboxes
 * and every other live node's. Every other call is for a sandbox of this node: the broker forwards requests for a
 * sandbox of another node before they reach a gateway.
 */
final class NodeGateway implements SandboxGateway {
    private static final Logger LOG = LoggerFactory.getLogger(NodeGateway.class);

    private final SandboxGateway local;
    private final Optional<NodeId> self;
    private final NodeCatalog catalog;
    private final Function<NodeInfo, SandboxGateway> remote;
    private final Clock clock;
    private final boolean aggregate;

    NodeGateway(SandboxGateway local, Optional<NodeId> self, NodeCatalog catalog,
                Function<NodeInfo, SandboxGateway> remote, Clock clock, boolean aggregate) {
        this.local = Objects.requireNonNull(local, "local must not be null");
        this.self = Objects.requireNonNull(self, "self must not be null");
        this.catalog = Objects.requireNonNull(catalog, "catalog must not be null");
        this.remote = Objects.requireNonNull(remote, "remote must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.aggregate = aggregate;
    }

    /** The same gateway for requests another broker forwarded here: lists this node's sandboxes only. */
    NodeGateway forwarded() {
        return new NodeGateway(local, self, catalog, remote, clock, false);
    }

    @Override
    public Sandbox createSandbox(SandboxSpec spec) {
        SandboxName name = spec.name();
        Optional<NodeId> requested = NodeId.requestedBy(spec.labels());
        Optional<NodeId> owner = catalog.nodeOf(name);
        if (owner.isPresent() && owner.equals(self)) {
            // placed here already, by the broker that forwarded the creation
            return local.createSandbox(labelled(spec, self.get()));
        }
        if (owner.isPresent()) {
            Optional<NodeInfo> live = catalog.liveNode(owner.get(), clock.instant());
            if (aggregate && live.isPresent() && requested.map(owner.get()::equals).orElse(true)) {
                // its node answers: a conflict once the creation it may still be running for another caller is
                // done, so that a caller's next look finds the sandbox there (createIfNotExists racing on two brokers)
                return remote.apply(live.get()).createSandbox(labelled(spec, owner.get()));
            }
            throw new SandgateException.Conflict("sandbox " + name + " already exists, on node " + owner.get());
        }
        if (self.isPresent() && local.findSandbox(name).isPresent()) {
            throw new SandgateException.Conflict("sandbox " + name + " already exists");
        }
        NodeInfo chosen = catalog.place(name, requested, clock.instant());
        try {
            if (Optional.of(chosen.id()).equals(self)) {
                return local.createSandbox(labelled(spec, chosen.id()));
            }
            return remote.apply(chosen).createSandbox(labelled(spec, chosen.id()));
        } catch (RuntimeException e) {
            if (!(e instanceof SandgateException.Conflict)) {
                forget(name);
            }
            throw e;
        }
    }

    /**
     * This node's sandbox, or (unless the call was forwarded here) the one the catalog places on another node, asked
     * of that node: {@code createIfNotExists} through any broker finds a sandbox wherever it lives. A sandbox on a
     * node that is not live is {@code NODE_UNAVAILABLE}, never reported missing.
     */
    @Override
    public Optional<Sandbox> findSandbox(SandboxName name) {
        Optional<Sandbox> here = local.findSandbox(name);
        if (here.isPresent() || !aggregate) {
            return here;
        }
        Optional<NodeId> owner = catalog.nodeOf(name);
        if (owner.isEmpty() || owner.equals(self)) {
            return here;
        }
        NodeInfo node = catalog.liveNode(owner.get(), clock.instant()).orElseThrow(() ->
                SandgateException.Unavailable.node("sandbox " + name + " lives on node " + owner.get()
                        + ", which is not live (its heartbeat is stale); it is kept and served again once node "
                        + owner.get() + " is back"));
        return remote.apply(node).findSandbox(name);
    }

    @Override
    public List<Sandbox> listSandboxes() {
        Map<SandboxName, Sandbox> all = new LinkedHashMap<>();
        local.listSandboxes().forEach(s -> all.put(s.name(), s));
        if (aggregate) {
            Instant now = clock.instant();
            for (NodeInfo node : catalog.liveNodes(now)) {
                if (Optional.of(node.id()).equals(self)) {
                    continue;
                }
                try {
                    remote.apply(node).listSandboxes().forEach(s -> all.putIfAbsent(s.name(), s));
                } catch (RuntimeException e) {
                    // a node that died since its last heartbeat: its sandboxes are missing from this list only
                    LOG.warn("node {} did not list its sandboxes: {}", node.id(), e.getMessage());
                }
            }
        }
        return all.values().stream().sorted(Comparator.comparing(s -> s.name().value())).toList();
    }

    @Override
    public Sandbox updateSandbox(SandboxSpec spec) {
        return local.updateSandbox(self.map(node -> labelled(spec, node)).orElse(spec));
    }

    @Override
    public Sandbox deleteSandbox(SandboxName name) {
        Sandbox deleted = local.deleteSandbox(name);
        forget(name);
        return deleted;
    }

    @Override
    public Preview createPreview(SandboxName sandbox, PreviewSpec spec) {
        return local.createPreview(sandbox, spec);
    }

    @Override
    public Optional<Preview> findPreview(SandboxName sandbox, PreviewName name) {
        return local.findPreview(sandbox, name);
    }

    @Override
    public List<Preview> listPreviews(SandboxName sandbox) {
        return local.listPreviews(sandbox);
    }

    @Override
    public Preview updatePreview(SandboxName sandbox, PreviewSpec spec) {
        return local.updatePreview(sandbox, spec);
    }

    @Override
    public Preview deletePreview(SandboxName sandbox, PreviewName name) {
        return local.deletePreview(sandbox, name);
    }

    @Override
    public int revokeSessions(SandboxName sandbox, Optional<SessionSubject> subject) {
        return local.revokeSessions(sandbox, subject);
    }

    @Override
    public Preview renewSession(SandboxName sandbox, PreviewName session, Instant expiresAt) {
        return local.renewSession(sandbox, session, expiresAt);
    }

    @Override
    public PreviewToken createToken(SandboxName sandbox, PreviewName preview, TokenName name, Instant expiresAt) {
        return local.createToken(sandbox, preview, name, expiresAt);
    }

    @Override
    public List<PreviewToken> listTokens(SandboxName sandbox, PreviewName preview) {
        return local.listTokens(sandbox, preview);
    }

    @Override
    public PreviewToken deleteToken(SandboxName sandbox, PreviewName preview, TokenName name) {
        return local.deleteToken(sandbox, preview, name);
    }

    @Override
    public DataPlane dataPlane(SandboxName sandbox) {
        return local.dataPlane(sandbox);
    }

    @Override
    public Optional<PortAddress> portAddress(SandboxName sandbox, Port port) {
        return local.portAddress(sandbox, port);
    }

    private void forget(SandboxName name) {
        try {
            catalog.unassign(name);
        } catch (SandgateException.Unavailable e) {
            LOG.warn("sandbox {} stays assigned in the catalog: {}", name, e.getMessage());
        }
    }

    /** The spec with its node under {@link NodeId#LABEL}, so that the sandbox's labels show where it lives. */
    private static SandboxSpec labelled(SandboxSpec spec, NodeId node) {
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.put(NodeId.LABEL, node.value());
        return spec.withLabels(labels);
    }
}
