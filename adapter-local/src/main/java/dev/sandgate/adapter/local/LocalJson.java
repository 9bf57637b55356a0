package dev.sandgate.adapter.local;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one place that builds this adapter's {@link Moshi}: its persisted records are plain classes of public fields
 * (see {@link LocalRecords}), instants are ISO-8601 strings ({@link Instant#toString()}, nanoseconds kept).
 */
final class LocalJson {
    static final Moshi MOSHI = new Moshi.Builder().add(Instant.class, new InstantAdapter().nullSafe()).build();

    private LocalJson() {
    }

    static <T> byte[] encode(Class<T> type, T value) {
        return MOSHI.adapter(type).indent("  ").toJson(value).getBytes(StandardCharsets.UTF_8);
    }

    /** One record on one line (JSON escapes every line break inside strings), ending in a line feed. */
    static <T> byte[] encodeLine(Class<T> type, T value) {
        return (MOSHI.adapter(type).toJson(value) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes a record; malformed or incomplete content is an {@link IOException} naming {@code what}. */
    static <T> T decode(Class<T> type, byte[] bytes, String what) throws IOException {
        try {
            T value = MOSHI.adapter(type).fromJson(new String(bytes, StandardCharsets.UTF_8));
            if (value == null) {
                throw new IOException(what + " is empty");
            }
            return value;
        } catch (JsonDataException | DateTimeParseException e) {
            throw new IOException(what + " is malformed: " + e.getMessage(), e);
        }
    }

    private static final class InstantAdapter extends JsonAdapter<Instant> {
        @Override
        public Instant fromJson(JsonReader reader) throws IOException {
            return Instant.parse(reader.nextString());
        }

        @Override
        public void toJson(JsonWriter writer, Instant value) throws IOException {
            writer.value(value.toString());
        }
    }
}
