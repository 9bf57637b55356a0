package dev.sandgate.ports.access;

import dev.sandgate.domain.TokenValue;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The preview token a request presents, parsed once, from the first place that has one: the
 * {@code X-Blaxel-Preview-Token} header, the {@code bl_preview_token} query parameter, or the token cookie.
 * A value that is repeated or not shaped like a token is {@link Malformed}: refused like an unknown token, before any
 * lookup. The value never appears in {@link #toString()}.
 */
public sealed interface PresentedToken {
    /** Where a token was presented. */
    enum Source { HEADER, QUERY, COOKIE }

    /** No token at all. */
    record None() implements PresentedToken {
    }

    /** A token-shaped value, presented once. */
    record Token(Source source, TokenValue value) implements PresentedToken {
        public Token {
            Objects.requireNonNull(source, "source must not be null");
            Objects.requireNonNull(value, "value must not be null");
        }
    }

    /** Something presented where a token goes that no token can match (repeated, or not token-shaped). */
    record Malformed(Source source) implements PresentedToken {
        public Malformed {
            Objects.requireNonNull(source, "source must not be null");
        }
    }

    PresentedToken NONE = new None();

    /**
     * The token of a request from the values found in each place (each list empty when that place has none): the
     * header wins over the query, the query over the cookie.
     */
    static PresentedToken of(List<String> header, List<String> query, Optional<String> cookie) {
        if (!header.isEmpty()) {
            return of(Source.HEADER, header);
        }
        if (!query.isEmpty()) {
            return of(Source.QUERY, query);
        }
        return cookie.map(c -> of(Source.COOKIE, List.of(c))).orElse(NONE);
    }

    /** The token presented in one place; {@link None} when {@code values} is empty. */
    static PresentedToken of(Source source, List<String> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        if (values.size() > 1) {
            return new Malformed(source);
        }
        return TokenValue.parse(values.get(0)).<PresentedToken>map(v -> new Token(source, v))
                .orElseGet(() -> new Malformed(source));
    }

    /** The token, when there is a well-formed one. */
    default Optional<Token> token() {
        return this instanceof Token t ? Optional.of(t) : Optional.empty();
    }

    /** Whether anything at all was presented. */
    default boolean presented() {
        return !(this instanceof None);
    }
}
