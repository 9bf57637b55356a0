package dev.sandgate.ports;

import dev.sandgate.domain.Preview;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.PreviewSpec;
import dev.sandgate.domain.SandboxName;
import java.util.List;
import java.util.Optional;

/** The previews part of {@link SandboxGateway}. Unknown sandboxes give {@code NotFound}. */
public interface PreviewOperations {
    /** Creates a preview; {@code Conflict} when the sandbox already has one with that name. */
    Preview createPreview(SandboxName sandbox, PreviewSpec spec);

    Optional<Preview> findPreview(SandboxName sandbox, PreviewName name);

    /** The sandbox's previews, oldest first. */
    List<Preview> listPreviews(SandboxName sandbox);

    /**
     * Replaces an existing preview's settings; {@code NotFound} otherwise. Its tokens stay, and so does its URL
     * between application ports; a gateway may give it another URL when it moves to or from the sandbox API (443),
     * which is served elsewhere.
     */
    Preview updatePreview(SandboxName sandbox, PreviewSpec spec);

    /** Deletes a preview and all its tokens, returning it as it was; {@code NotFound} when it does not exist. */
    Preview deletePreview(SandboxName sandbox, PreviewName name);
}
