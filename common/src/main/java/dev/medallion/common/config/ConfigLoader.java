package dev.medallion.common.config;

import dev.medallion.common.error.Errors;
import dev.medallion.common.error.MedallionException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Resolves the configuration of a run from its four sources, each overriding the one before:
 *
 * <ol>
 *   <li>the defaults shipped in the jar ({@link Settings});
 *   <li>an optional properties file ({@code --config FILE});
 *   <li>environment variables: {@code MEDALLION_} + the key in upper case with dots as underscores,
 *       e.g. {@code MEDALLION_KAFKA_BOOTSTRAP_SERVERS}; for pass-through keys the reverse holds,
 *       e.g. {@code MEDALLION_KAFKA_CONSUMER_SASL_JAAS_CONFIG} sets {@code
 *       kafka.consumer.sasl.jaas.config} (the way to pass a secret without a command line);
 *   <li>{@code --set key=value} on the command line, repeatable.
 * </ol>
 *
 * Unknown keys and bad values fail here, before Spark starts, with one line naming the key, the
 * value, its source and what is allowed.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "MEDALLION_";

  /**
   * Variables the launcher and the Airflow DAGs read; they are not configuration keys, and a job a
   * worker starts inherits them.
   */
  private static final List<String> LAUNCHER_ENV =
      List.of(
          "MEDALLION_HOME",
          "MEDALLION_JAVA_OPTS",
          "MEDALLION_CDS",
          "MEDALLION_ALERT_COMMAND",
          "MEDALLION_PIPELINE_SCHEDULE",
          "MEDALLION_PIPELINE_ONE_JVM",
          "MEDALLION_SPARK_CONN_ID");

  private ConfigLoader() {}

  /** The environment variable that sets {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A key a command needs has no value: says why it is needed and the three ways to set it. */
  public static MedallionException missing(String key, String why) {
    return Errors.usage(
        String.format(
            "Missing config key '%s': %s. Set it with --set %s=..., the environment variable %s"
                + " or a --config file",
            key, why, key, envName(key)));
  }

  public static MedallionConfig load(
      Optional<Path> configFile, Map<String, String> environment, List<String> setArguments) {
    Map<String, Sourced> resolved = new LinkedHashMap<>();
    Settings.byKey()
        .values()
        .forEach(s -> resolved.put(s.key(), new Sourced(s.defaultValue(), "default")));
    configFile.ifPresent(
        file -> readFile(file).forEach((k, v) -> put(resolved, k, v, "from file " + file)));
    fromEnvironment(environment).forEach((k, v) -> put(resolved, k, v.value(), v.source()));
    for (String argument : setArguments) {
      int equals = argument.indexOf('=');
      if (equals <= 0) {
        throw Errors.usage(
            "Cannot parse --set '"
                + argument
                + "': expected key=value, e.g. --set lakehouse.root=/data/lake");
      }
      put(
          resolved,
          argument.substring(0, equals).trim(),
          argument.substring(equals + 1),
          "from --set");
    }
    return build(resolved);
  }

  /**
   * Returns {@code --set} arguments unchanged, or fails on one that sets a secret: a command line
   * shows in the process list of every user of the machine and in Airflow's task logs.
   */
  public static List<String> refuseSecrets(List<String> setArguments) {
    for (String argument : setArguments) {
      String key = argument.substring(0, Math.max(0, argument.indexOf('='))).trim();
      if (MedallionConfig.isSecretKey(key)) {
        throw Errors.usage(
            "Cannot take "
                + key
                + " from --set: a command line shows in the process list and in Airflow's logs;"
                + " set the environment variable "
                + envName(key)
                + " instead");
      }
    }
    return setArguments;
  }

  /** {@code base} with more keys set, validated like {@code --set} arguments. */
  public static MedallionConfig withSets(MedallionConfig base, Map<String, String> overrides) {
    List<String> sets = new java.util.ArrayList<>();
    base.raw().forEach((key, value) -> sets.add(key + "=" + value));
    overrides.forEach((key, value) -> sets.add(key + "=" + value));
    return load(Optional.empty(), Map.of(), sets);
  }

  private static MedallionConfig build(Map<String, Sourced> resolved) {
    Map<String, Object> values = new HashMap<>();
    Map<String, String> raw = new TreeMap<>();
    resolved.forEach(
        (key, sourced) -> {
          raw.put(key, sourced.value());
          Setting<?> setting = Settings.byKey().get(key);
          if (setting != null) {
            values.put(key, parse(setting, sourced));
          }
        });
    checkTopicChoice(resolved);
    S3Settings.checkCredentials(values);
    return new MedallionConfig(values, new TreeMap<>(raw));
  }

  private static Object parse(Setting<?> setting, Sourced sourced) {
    try {
      return setting.parse(sourced.value());
    } catch (RuntimeException e) {
      throw Errors.invalidConfigValue(
          setting.key(),
          MedallionConfig.mask(setting.key(), sourced.value()),
          sourced.source(),
          setting.allowed());
    }
  }

  private static void checkTopicChoice(Map<String, Sourced> resolved) {
    Sourced topics = resolved.get(Settings.KAFKA_TOPICS.key());
    Sourced pattern = resolved.get(Settings.KAFKA_TOPIC_PATTERN.key());
    if (!pattern.value().isBlank() && !"default".equals(topics.source())) {
      throw Errors.usage(
          String.format(
              "Conflicting config: kafka.topics (%s) and kafka.topic.pattern (%s) are both set;"
                  + " set only one of them",
              topics.source(), pattern.source()));
    }
  }

  private static void put(Map<String, Sourced> resolved, String key, String value, String source) {
    if (key.startsWith(Expectation.PREFIX)) {
      Expectation.parse(key, value, source);
    } else if (!Settings.byKey().containsKey(key) && !Settings.isPassThrough(key)) {
      throw Errors.unknownConfigKey(key, source, Settings.byKey().keySet());
    }
    resolved.put(key, new Sourced(value, source));
  }

  private static Map<String, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw Errors.unreadableConfigFile(file.toString(), e);
    }
    Map<String, String> entries = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> entries.put(k.trim(), properties.getProperty(k)));
    return entries;
  }

  private static Map<String, Sourced> fromEnvironment(Map<String, String> environment) {
    Map<String, String> keyByEnvName = new HashMap<>();
    Settings.byKey().keySet().forEach(key -> keyByEnvName.put(envName(key), key));
    Map<String, Sourced> entries = new TreeMap<>();
    environment.forEach(
        (name, value) -> {
          if (!name.startsWith(ENV_PREFIX) || LAUNCHER_ENV.contains(name)) {
            return;
          }
          String key = keyByEnvName.getOrDefault(name, passThroughKey(name));
          entries.put(key, new Sourced(value, "from environment variable " + name));
        });
    return entries;
  }

  /** MEDALLION_KAFKA_CONSUMER_SASL_MECHANISM -> kafka.consumer.sasl.mechanism. */
  private static String passThroughKey(String envName) {
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private record Sourced(String value, String source) {}
}
