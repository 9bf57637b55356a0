package dev.sandgate.ports;

import dev.sandgate.domain.Port;
import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import java.net.URI;
import java.util.Objects;

/**
 * Where a gateway says its sandboxes and previews are reached over HTTP. URLs are absolute without a trailing
 * slash. The broker supplies its own scheme; {@link #under(URI, String)} is the default layout.
 */
public interface UrlScheme {
    /** The data-plane base of a sandbox (its {@code metadata.url}). */
    String sandboxUrl(SandboxName sandbox);

    /** The URL of a preview (its {@code spec.url}); port 443 previews lead to the sandbox API. */
    String previewUrl(SandboxName sandbox, PreviewName preview, Port port);

    /**
     * The default layout under a base URL: sandboxes at {@code {base}/{workspace}/sandboxes/{name}}, session
     * previews (port 443) at {@code {base}/s/{sandbox}/{preview}}, other previews at {@code {base}/p/{sandbox}/{preview}}.
     */
    static UrlScheme under(URI base, String workspace) {
        Objects.requireNonNull(base, "base must not be null");
        Objects.requireNonNull(workspace, "workspace must not be null");
        String root = base.toString().replaceAll("/+$", "");
        return new UrlScheme() {
            @Override
            public String sandboxUrl(SandboxName sandbox) {
                return root + "/" + workspace + "/sandboxes/" + sandbox.value();
            }

            @Override
            public String previewUrl(SandboxName sandbox, PreviewName preview, Port port) {
                String kind = port.equals(Port.SANDBOX_API) ? "/s/" : "/p/";
                return root + kind + sandbox.value() + "/" + preview.value();
            }
        };
    }
}
