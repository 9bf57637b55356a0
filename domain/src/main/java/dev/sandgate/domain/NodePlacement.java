package dev.sandgate.domain;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a new sandbox goes: on the node its label {@link NodeId#LABEL} names, if that node is live; otherwise, when
 * it names none, on the live node with the fewest sandboxes (the smallest id among equals, so every broker decides
 * alike).
 */
public final class NodePlacement {
    private NodePlacement() {
    }

    /**
     * Chooses among {@code live} (the nodes live now); {@code Unavailable} naming the node when the requested one is
     * not live, or when no node is.
     */
    public static NodeInfo choose(List<NodeInfo> live, Optional<NodeId> requested) {
        Objects.requireNonNull(live, "live must not be null");
        Objects.requireNonNull(requested, "requested must not be null");
        if (requested.isPresent()) {
            NodeId wanted = requested.get();
            return live.stream().filter(n -> n.id().equals(wanted)).findFirst()
                    .orElseThrow(() -> new SandgateException.Unavailable("node " + wanted + " named by the label "
                            + NodeId.LABEL + " is not live" + liveOnes(live)));
        }
        return live.stream().min(Comparator.comparingInt(NodeInfo::sandboxes)
                        .thenComparing(n -> n.id().value()))
                .orElseThrow(() -> new SandgateException.Unavailable("no node is live to run a new sandbox"));
    }

    private static String liveOnes(List<NodeInfo> live) {
        return live.isEmpty() ? "; no node is live" : "; live nodes: " + live.stream().map(n -> n.id().value())
                .sorted().collect(Collectors.joining(", "));
    }
}
