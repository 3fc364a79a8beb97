package dev.medallion.common.config;

import dev.medallion.common.table.TableLocations;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The resolved, validated configuration of one run: typed values of every {@link Setting}, the
 * Spark settings and the Kafka consumer properties. Built only by {@link ConfigLoader}, so a config
 * object that exists is valid.
 *
 * @param values parsed value of every owned setting, by key
 * @param raw every resolved key (owned and pass-through) and its text, sorted
 */
public record MedallionConfig(Map<String, Object> values, SortedMap<String, String> raw) {

  /** Keys whose values are secrets: masked in every dump, log line and error. */
  private static final Pattern SECRET_KEY =
      Pattern.compile(
          "(?i).*(secret|password|passwd|jaas|credential|token|access\\.key|sasl|webhook).*");

  public MedallionConfig {
    values = Map.copyOf(values);
    raw = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(raw));
    for (String key : Settings.byKey().keySet()) {
      Objects.requireNonNull(values.get(key), () -> "Cannot build config without " + key);
    }
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting.key());
  }

  public String lakehouseRoot() {
    return get(Settings.LAKEHOUSE_ROOT);
  }

  /** Where every table, checkpoint, lock and ledger of this lakehouse lives. */
  public TableLocations tables() {
    return new TableLocations(lakehouseRoot());
  }

  /** Spark settings ({@code spark.*} keys) exactly as given. */
  public Map<String, String> sparkConf() {
    return withPrefix(Settings.SPARK_PREFIX, false);
  }

  /** Kafka consumer properties: {@code kafka.consumer.<name>} given as {@code <name>}. */
  public Map<String, String> kafkaConsumerProperties() {
    return withPrefix(Settings.KAFKA_CONSUMER_PREFIX, true);
  }

  /** One sorted {@code key=value} per line with secrets masked: safe to log. */
  public String maskedDump() {
    return raw.entrySet().stream()
        .map(e -> e.getKey() + "=" + mask(e.getKey(), e.getValue()))
        .collect(Collectors.joining(System.lineSeparator()));
  }

  /** Replaces every configured secret value inside {@code text}, e.g. an exception message. */
  public String maskSecrets(String text) {
    String masked = text;
    for (Map.Entry<String, String> entry : raw.entrySet()) {
      if (isSecretKey(entry.getKey()) && entry.getValue().length() >= 4) {
        masked = masked.replace(entry.getValue(), "*****");
      }
    }
    return masked;
  }

  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }

  static String mask(String key, String value) {
    return isSecretKey(key) ? "*****" : value;
  }

  private Map<String, String> withPrefix(String prefix, boolean strip) {
    Map<String, String> selected = new TreeMap<>();
    raw.forEach(
        (key, value) -> {
          if (key.startsWith(prefix)) {
            selected.put(strip ? key.substring(prefix.length()) : key, value);
          }
        });
    return java.util.Collections.unmodifiableMap(selected);
  }

  @Override
  public String toString() {
    return "MedallionConfig{" + maskedDump().replace(System.lineSeparator(), ", ") + "}";
  }
}
