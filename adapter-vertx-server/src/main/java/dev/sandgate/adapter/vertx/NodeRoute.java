package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.NodeId;
import java.net.URI;
import java.util.Objects;

/** Where a request for one sandbox is served: here, on another live node, or nowhere until its node is back. */
sealed interface NodeRoute {
    /** This broker serves it (the sandbox is its own, or the catalog knows none, so the gateway answers). */
    record Here() implements NodeRoute {
    }

    /** Another node, live, owns the sandbox: forward the request to {@code url}. */
    record There(NodeId node, URI url) implements NodeRoute {
        public There {
            Objects.requireNonNull(node, "node must not be null");
            Objects.requireNonNull(url, "url must not be null");
        }
    }

    /** The sandbox lives on {@code node}, which is not live: 503 naming it. */
    record Down(NodeId node) implements NodeRoute {
        public Down {
            Objects.requireNonNull(node, "node must not be null");
        }
    }

    NodeRoute HERE = new Here();
}
