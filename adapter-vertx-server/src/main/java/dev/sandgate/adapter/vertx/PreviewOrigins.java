package dev.sandgate.adapter.vertx;

import dev.sandgate.domain.PreviewName;
import dev.sandgate.domain.SandboxName;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origins of application previews when they have ports of their own ({@link PreviewPorts}): one listening
 * socket per preview on the broker's host, opened when the preview's URL is first named and kept for the life of
 * the broker, or until a request finds the preview gone. Which preview a request is for is known from the port it
 * arrived on, so the whole path belongs to the application.
 *
 * <p>A port is chosen by binding it (the system's choice for {@code auto}, the first free one of a range
 * otherwise), then the broker's server listens on it, and the caller (never an event loop) waits until it listens,
 * so that a URL handed out is served at once. At most {@link #MAX_ORIGINS} are open: beyond that, previews fall back to the
 * path form.
 */
final class PreviewOrigins {
    /** The most preview origins one broker opens. */
    static final int MAX_ORIGINS = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PreviewOrigins.class);
    private static final long LISTEN_WAIT_SECONDS = 10;

    record Key(SandboxName sandbox, PreviewName preview) {
    }

    private record Origin(Key key, int port, LoopServers server) {
    }

    private final PreviewPorts ports;
    private final String bindHost;
    private final String urlHost;
    private final IntFunction<LoopServers> servers;
    // guarded by this
    private final Map<Key, Origin> byKey = new HashMap<>();
    /** Changed under this object's lock like {@code byKey}; read without it by every request ({@link #at}). */
    private final Map<Integer, Origin> byPort = new java.util.concurrent.ConcurrentHashMap<>();
    private int nextInRange;
    private boolean closed;

    /**
     * @param servers makes the (not yet listening) server for a port; the caller's handlers find the preview
     *                with {@link #at(int)}
     */
    PreviewOrigins(PreviewPorts ports, String bindHost, String urlHost, IntFunction<LoopServers> servers) {
        this.ports = ports;
        this.bindHost = bindHost;
        this.urlHost = urlHost;
        this.servers = servers;
        this.nextInRange = ports.first();
    }

    /**
     * The origin URL of a preview ({@code http://host:port}), opening it if need be; empty when none can be. On an
     * event loop, where waiting for a listen is not allowed, only an origin already open is named: callers name
     * URLs on a worker thread first (the control plane does), and an answer built on the event loop for a preview
     * without one (a deleted preview, say) shows the path form.
     */
    Optional<String> urlFor(SandboxName sandbox, PreviewName preview) {
        Key key = new Key(sandbox, preview);
        Opening opening;
        synchronized (this) {
            Origin existing = byKey.get(key);
            if (existing != null) {
                return Optional.of(url(existing.port));
            }
            if (closed || byKey.size() >= MAX_ORIGINS || Context.isOnEventLoopThread()) {
                return Optional.empty();
            }
            int port = choosePort();
            if (port < 0) {
                return Optional.empty();
            }
            opening = open(key, port);
        }
        return opened(opening) ? Optional.of(url(opening.origin.port)) : Optional.empty();
    }

    /**
     * Opens a preview's origin on the port its stored URL names, so that URLs handed out before a restart keep
     * working; false when that port cannot be had (the preview then gets a new one when its URL is next named).
     */
    boolean restore(SandboxName sandbox, PreviewName preview, int port) {
        Key key = new Key(sandbox, preview);
        Opening opening;
        synchronized (this) {
            if (closed || byKey.containsKey(key) || byPort.containsKey(port) || byKey.size() >= MAX_ORIGINS
                    || !bindable(port)) {
                return false;
            }
            opening = open(key, port);
        }
        return opened(opening);
    }

    /** The port a stored preview URL names, when it is one of this broker's preview origins. */
    Optional<Integer> portOf(String storedUrl) {
        String prefix = "http://" + urlHost + ":";
        if (!storedUrl.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = storedUrl.substring(prefix.length());
        if (!rest.matches("\\d{1,5}")) {
            return Optional.empty();
        }
        int port = Integer.parseInt(rest);
        boolean inRange = ports.first() == 0 || (port >= ports.first() && port <= ports.last());
        return port > 0 && port <= 65535 && inRange ? Optional.of(port) : Optional.empty();
    }

    /**
     * The preview whose origin listens on {@code port}. Asked on every request of every event loop, so it takes no
     * lock: a lock here would be contended by the loops on every request.
     */
    Optional<Key> at(int port) {
        Origin origin = byPort.get(port);
        return origin == null ? Optional.empty() : Optional.of(origin.key);
    }

    /** Closes the origin of a preview that is gone; its next URL, if it comes back, may name another port. */
    void release(SandboxName sandbox, PreviewName preview) {
        Origin origin;
        synchronized (this) {
            origin = byKey.remove(new Key(sandbox, preview));
            if (origin != null) {
                byPort.remove(origin.port);
            }
        }
        if (origin != null) {
            LOG.info("preview {} of sandbox {} is gone: its origin on port {} is closed", preview, sandbox,
                    origin.port);
            origin.server.close();
        }
    }

    /** Every open origin, for closing. */
    List<Future<Void>> closeAll() {
        List<Origin> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(byKey.values());
            byKey.clear();
            byPort.clear();
        }
        return all.stream().map(o -> o.server.close()).toList();
    }

    private String url(int port) {
        return "http://" + urlHost + ":" + port;
    }

    /** Holds this. A free port, or -1. */
    private int choosePort() {
        if (ports.first() == 0) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0));
                return probe.getLocalPort();
            } catch (IOException e) {
                LOG.warn("no free port for a preview origin on {}: {}", bindHost, e.getMessage());
                return -1;
            }
        }
        int size = ports.last() - ports.first() + 1;
        for (int i = 0; i < size; i++) {
            int port = nextInRange;
            nextInRange = port == ports.last() ? ports.first() : port + 1;
            if (!byPort.containsKey(port) && bindable(port)) {
                return port;
            }
        }
        LOG.warn("every port of the preview range {} is taken: previews fall back to the path form", ports);
        return -1;
    }

    private boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private record Opening(Origin origin, Future<LoopServers> listening) {
    }

    /** Holds this. Starts listening on {@code port} and records the origin (forgotten again if listening fails). */
    private Opening open(Key key, int port) {
        LoopServers server = servers.apply(port);
        Origin origin = new Origin(key, port, server);
        byKey.put(key, origin);
        byPort.put(port, origin);
        Future<LoopServers> listening = server.listen(bindHost, port).onFailure(e -> {
            LOG.warn("could not listen on port {} for preview {} of sandbox {}: {}", port, key.preview(),
                    key.sandbox(), e.getMessage());
            synchronized (this) {
                if (byKey.get(key) == origin) {
                    byKey.remove(key);
                    byPort.remove(port);
                }
            }
        });
        return new Opening(origin, listening);
    }

    /** Waits, without holding this and unless on an event loop, until the origin listens; false if it cannot. */
    private boolean opened(Opening opening) {
        if (!Context.isOnEventLoopThread()) {
            try {
                opening.listening.toCompletionStage().toCompletableFuture()
                        .get(LISTEN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                return false; // logged, and the origin forgotten, by the failure handler
            }
        }
        Key key = opening.origin.key;
        LOG.info("preview {} of sandbox {} has its own origin: {}", key.preview(), key.sandbox(),
                url(opening.origin.port));
        return true;
    }
}
