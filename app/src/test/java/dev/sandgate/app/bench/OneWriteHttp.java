package dev.sandgate.app.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark's HTTP/1.1 client: one kept-alive connection per thread, each request written whole in one
 * {@code write} (head and body together), as the SDK's HTTP stack (Node's undici, which corks the socket around a
 * request) puts it on the wire. The JDK's {@code HttpClient} writes a request's head and its body in two
 * {@code writev}s, so the broker reads each {@code POST} in two and wakes twice for it, a cost a client of the SDK
 * never causes; and it spends more of the box's CPU than the broker does on a read. Answers must carry
 * {@code Content-Length} (the broker's JSON answers do).
 */
final class OneWriteHttp implements AutoCloseable {
    private final String host;
    private final int port;
    private final List<String> headers;
    private final List<Socket> opened = new ArrayList<>();
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();

    /** Requests to {@code base}'s host and port, each with these extra header lines ({@code "Name: value"}). */
    OneWriteHttp(URI base, List<String> headers) {
        this.host = base.getHost();
        this.port = base.getPort();
        this.headers = List.copyOf(headers);
    }

    /** Sends a request on this thread's connection; its status and body. */
    Answer send(String method, String path, String body) {
        Connection c = connections.get();
        try {
            if (c == null) {
                Socket socket = new Socket(host, port);
                socket.setTcpNoDelay(true);
                synchronized (opened) {
                    opened.add(socket);
                }
                c = new Connection(socket.getOutputStream(), new BufferedInputStream(socket.getInputStream()));
                connections.set(c);
            }
            StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port).append("\r\n");
            for (String h : headers) {
                head.append(h).append("\r\n");
            }
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length)
                        .append("\r\n");
            }
            byte[] top = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            byte[] whole = new byte[top.length + payload.length];
            System.arraycopy(top, 0, whole, 0, top.length);
            System.arraycopy(payload, 0, whole, top.length, payload.length);
            c.out.write(whole);
            c.out.flush();
            return read(c.in);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    private static Answer read(InputStream in) throws IOException {
        String status = line(in);
        int length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        if (length < 0) {
            throw new IOException("an answer without Content-Length: " + status);
        }
        byte[] body = in.readNBytes(length);
        return new Answer(Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the broker closed the connection");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        synchronized (opened) {
            for (Socket s : opened) {
                s.close();
            }
        }
    }

    record Answer(int status, String body) {
    }

    private record Connection(OutputStream out, InputStream in) {
    }
}
