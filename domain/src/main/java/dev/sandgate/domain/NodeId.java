package dev.sandgate.domain;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of a node: a broker that runs sandboxes in a cluster. 1-128 of {@code A-Z a-z 0-9 . _ : -}, starting with
 * a letter or digit, so that the default, {@code <host name>:<port>}, is one.
 */
public record NodeId(String value) {
    /** The sandbox label that names a sandbox's node: asked for at creation, shown afterwards. */
    public static final String LABEL = "sandgate-node";
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public NodeId {
        Names.require(value, SHAPE, "node id",
                "use 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
    }

    public static NodeId of(String value) {
        return new NodeId(value);
    }

    /** The node a sandbox's labels ask for under {@link #LABEL}; a value that is not a node id is refused. */
    public static Optional<NodeId> requestedBy(Map<String, String> labels) {
        String value = labels.get(LABEL);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(of(value));
        } catch (IllegalArgumentException e) {
            throw new SandgateException.InvalidRequest("the label " + LABEL + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
