package dev.sandgate.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a free loopback port that forwards every connection to a target port, and can cut every connection
 * it carries at once ({@link #cut()}), as a flaky network or a restarting load balancer would. Test support.
 *
 * <p>A relayed connection is one pair of sockets: it is open until either side ends it or it is cut, and it leaves
 * {@link #open} when it closes. {@link #cut()} decides which connections it cuts before it closes any socket: closing
 * one socket of a pair wakes its pump thread, which closes the other at once, so counting sockets while closing them
 * would count half of some pairs.
 */
final class TcpRelay implements AutoCloseable {
    private static final int KEPT_BYTES = 1 << 20;
    private final ServerSocket server;
    private final AtomicInteger target = new AtomicInteger();
    private final List<Connection> open = new CopyOnWriteArrayList<>();

    TcpRelay() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void target(int port) {
        target.set(port);
    }

    /**
     * Closes every connection carried now, both ways, and answers what each one it cut had carried towards the client
     * (as ISO-8859-1 text, its first {@value #KEPT_BYTES} bytes), so a test can tell which stream it cut; later
     * connections are relayed again.
     */
    List<String> cut() {
        List<String> cut = new ArrayList<>();
        for (Connection c : List.copyOf(open)) {
            if (c.close()) {
                cut.add(c.carried());
            }
        }
        return List.copyOf(cut);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), target.get());
                } catch (IOException e) {
                    closeQuietly(client); // the target refused: the client sees its connection fail
                    continue;
                }
                Connection c = new Connection(client, upstream);
                open.add(c);
                pump(c, client, upstream, false);
                pump(c, upstream, client, true);
            } catch (IOException e) {
                // the server socket was closed
            }
        }
    }

    private void pump(Connection c, Socket from, Socket to, boolean towardsClient) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (towardsClient) {
                        c.keep(buffer, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut, or closed by either side
            } finally {
                c.close();
            }
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** One relayed connection: its two sockets, closed together once. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final ByteArrayOutputStream carried = new ByteArrayOutputStream();

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        synchronized void keep(byte[] bytes, int length) {
            carried.write(bytes, 0, Math.max(0, Math.min(length, KEPT_BYTES - carried.size())));
        }

        synchronized String carried() {
            return carried.toString(StandardCharsets.ISO_8859_1);
        }

        /** Closes both sockets; true for the call that closed them. */
        boolean close() {
            if (!closed.compareAndSet(false, true)) {
                return false;
            }
            open.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
            return true;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }
}
