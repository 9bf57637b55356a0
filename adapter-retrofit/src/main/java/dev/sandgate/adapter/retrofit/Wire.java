package dev.sandgate.adapter.retrofit;

import com.squareup.moshi.Json;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the wire protocol, as Moshi binds them: plain classes with public, nullable fields, because a
 * missing field is ordinary on the wire. Only {@link WireJson} turns them into domain values.
 */
final class Wire {
    private Wire() {
    }

    public static final class Sandbox {
        public Metadata metadata;
        public SandboxSpec spec;
        public String status;
    }

    public static final class SandboxPage {
        public List<Sandbox> data;
    }

    public static final class Metadata {
        public String name;
        public String workspace;
        public String url;
        public Map<String, String> labels;
        public String externalId;
        public String displayName;
        public String createdAt;
        public String updatedAt;
        public String resourceName;
        public String resourceType;
        public String previewName;
    }

    public static final class SandboxSpec {
        public Runtime runtime;
        public String region;
    }

    public static final class Runtime {
        public String image;
        public Integer memory;
        public List<PortEntry> ports;
        public List<Env> envs;
        public String generation;
    }

    public static final class PortEntry {
        public String name;
        public Integer target;
        public String protocol;
    }

    public static final class Env {
        public String name;
        public String value;
    }

    public static final class Preview {
        public Metadata metadata;
        public PreviewSpec spec;
        public String status;
    }

    public static final class PreviewSpec {
        public Integer port;
        @Json(name = "public")
        public Boolean isPublic;
        public String url;
        public String expires;
        public Map<String, String> responseHeaders;
        public Map<String, String> requestHeaders;
    }

    public static final class Token {
        public Metadata metadata;
        public TokenSpec spec;
    }

    public static final class TokenSpec {
        public String token;
        public String expiresAt;
        public Boolean expired;
    }

    public static final class ProcessRequest {
        public String command;
        public String name;
        public String workingDir;
        public Map<String, String> env;
        public Boolean waitForCompletion;
        public List<Integer> waitForPorts;
        public Long timeout;
        public Boolean keepAlive;
        public Boolean restartOnFailure;
        public Integer maxRestarts;
        public Boolean stdin;
    }

    public static final class ProcessResponse {
        public String pid;
        public String name;
        public String command;
        public String status;
        public String startedAt;
        public String completedAt;
        public Integer exitCode;
        public String workingDir;
        public String logs;
        public String stdout;
        public String stderr;
        public Boolean restartOnFailure;
        public Integer maxRestarts;
        public Integer restartCount;
        public Boolean keepAlive;
        /** Sandgate's addition: present and true when the kernel killed the process for lack of memory. */
        public Boolean oomKilled;
    }

    /** One line of the NDJSON exec stream: {@code stdout}, {@code stderr}, {@code keepalive}, {@code result}, {@code error}. */
    public static final class StreamEvent {
        public String type;
        public String data;
    }

    public static final class Logs {
        public String stdout;
        public String stderr;
        public String logs;
    }

    /** A file, a file with content, or a directory: the sandbox API answers GET /filesystem/{p} with one of these. */
    public static final class FileOrDirectory {
        public String name;
        public String path;
        public Long size;
        public String permissions;
        public String lastModified;
        public String content;
        public List<FileOrDirectory> files;
        public List<FileOrDirectory> subdirectories;
    }

    public static final class FileWrite {
        public String content;
        public Boolean isDirectory;
        public String permissions;
    }

    public static final class Error {
        public Object code;
        public String reason;
        public String error;
        public String message;
    }

    public static final class FindResponse {
        public List<FindMatch> matches;
        public Integer total;
    }

    public static final class FindMatch {
        public String path;
        public String type;
    }

    public static final class GrepResponse {
        public List<GrepMatch> matches;
        public String query;
        public Integer total;
    }

    public static final class GrepMatch {
        public String path;
        public Integer line;
        public Integer column;
        public String text;
        public String context;
    }

    public static final class FileEvent {
        public String op;
        public String path;
        public String name;
    }
}
