package dev.medallion.common.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its name, the default shipped in the jar, how a value is parsed and
 * checked, and what is allowed (the text an error shows).
 *
 * @param parser turns the raw text into the typed value; throws {@link IllegalArgumentException}
 *     for a value that is not allowed
 */
public record Setting<T>(
    String key, String defaultValue, Function<String, T> parser, String allowed, String doc) {

  public Setting {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(parser, "parser");
  }

  T parse(String raw) {
    return parser.apply(raw.trim());
  }
}
