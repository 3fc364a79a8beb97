package dev.medallion.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.error.MedallionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsApplyWhenNothingIsGiven() {
    MedallionConfig config = ConfigLoader.load(Optional.empty(), Map.of(), List.of());

    assertThat(config.lakehouseRoot()).isEqualTo("./lakehouse");
    assertThat(config.get(Settings.KAFKA_TOPICS)).containsExactly("events");
    assertThat(config.get(Settings.KAFKA_FAIL_ON_DATA_LOSS)).isTrue();
    assertThat(config.get(Settings.KAFKA_BOOTSTRAP_SERVERS)).isEmpty();
  }

  @Test
  void fileOverridesDefaultsEnvironmentOverridesFileAndSetOverridesAll() throws IOException {
    Path file = dir.resolve("medallion.properties");
    Files.writeString(
        file,
        "lakehouse.root=/from/file\nkafka.topics=file-topic\nkafka.max.offsets.per.trigger=10\n"
            + "kafka.min.partitions=3\n");
    Map<String, String> env =
        Map.of(
            "MEDALLION_KAFKA_TOPICS", "env-topic", "MEDALLION_KAFKA_MAX_OFFSETS_PER_TRIGGER", "20");

    MedallionConfig config =
        ConfigLoader.load(Optional.of(file), env, List.of("kafka.max.offsets.per.trigger=30"));

    assertThat(config.lakehouseRoot()).isEqualTo("/from/file");
    assertThat(config.get(Settings.KAFKA_TOPICS)).containsExactly("env-topic");
    assertThat(config.get(Settings.KAFKA_MAX_OFFSETS_PER_TRIGGER)).isEqualTo(30L);
    assertThat(config.get(Settings.KAFKA_MIN_PARTITIONS)).isEqualTo(3);
  }

  @Test
  void variablesOfTheLauncherAndTheAirflowDagsAreNotConfigKeys() {
    // An Airflow worker's environment reaches every job it starts through spark-submit.
    Map<String, String> worker =
        Map.of(
            "MEDALLION_ALERT_COMMAND", "/opt/page-oncall",
            "MEDALLION_PIPELINE_SCHEDULE", "@daily",
            "MEDALLION_SPARK_CONN_ID", "spark_yarn",
            "MEDALLION_JAVA_OPTS", "-Xmx8g",
            "MEDALLION_CDS", "0");

    MedallionConfig config = ConfigLoader.load(Optional.empty(), worker, List.of());

    assertThat(config.raw()).doesNotContainKeys("alert.command", "pipeline.schedule");
  }

  @Test
  void expectationsAreDeclaredWithAnActionAndAPredicate() throws IOException {
    Path file = dir.resolve("expectations.properties");
    Files.writeString(
        file,
        "expect.silver.events.revenue_non_negative = quarantine: revenue_usd >= 0\n"
            + "expect.gold.hourly_revenue.some_users: WARN:unique_users > 0\n");

    MedallionConfig config =
        ConfigLoader.load(
            Optional.of(file),
            Map.of(),
            List.of("expect.silver.events.known_type=fail: event_type IN ('a', 'b=c')"));

    assertThat(Expectation.declared(config))
        .containsExactly(
            new Expectation(
                "gold.hourly_revenue", "some_users", Expectation.Action.WARN, "unique_users > 0"),
            new Expectation(
                "silver.events",
                "known_type",
                Expectation.Action.FAIL,
                "event_type IN ('a', 'b=c')"),
            new Expectation(
                "silver.events",
                "revenue_non_negative",
                Expectation.Action.QUARANTINE,
                "revenue_usd >= 0"));
    assertThat(Expectation.on(config, "silver.events")).hasSize(2);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "expect.silver.events=warn: x > 0|Invalid expectation key 'expect.silver.events'",
        "expect.silver.events.Bad-Name=warn: x > 0|expect.<layer>.<table>.<name>",
        "expect.silver.events.x=drop: x > 0|expected '<warn|quarantine|fail>: <SQL predicate>'",
        "expect.silver.events.x=x > 0|expected '<warn|quarantine|fail>: <SQL predicate>'",
        "expect.silver.events.x=warn:  |expected '<warn|quarantine|fail>: <SQL predicate>'",
        "expect.gold.hourly_revenue.x=quarantine: x > 0|only silver.events has a quarantine"
      })
  void aMalformedExpectationIsRefusedWithItsShape(String set, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(), List.of(set)))
        .isInstanceOf(MedallionException.class)
        .hasMessageContaining(message);
  }

  @Test
  void passThroughKeysReachSparkAndTheKafkaConsumer() {
    MedallionConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of("MEDALLION_KAFKA_CONSUMER_SASL_MECHANISM", "PLAIN"),
            List.of("spark.sql.shuffle.partitions=7", "kafka.consumer.security.protocol=SASL_SSL"));

    assertThat(config.sparkConf()).containsEntry("spark.sql.shuffle.partitions", "7");
    assertThat(config.kafkaConsumerProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
  }

  @Test
  void secretsAreMaskedInTheDumpAndInMessages() {
    String jaas =
        "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"hunter22\";";
    MedallionConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "kafka.consumer.sasl.jaas.config=" + jaas,
                "spark.hadoop.fs.s3a.secret.key=abcd1234"));

    assertThat(config.maskedDump())
        .doesNotContain("hunter22")
        .doesNotContain("abcd1234")
        .contains("*****");
    assertThat(config.maskSecrets("failed with abcd1234")).isEqualTo("failed with *****");
  }

  @Test
  void unknownKeyFailsNamingTheKeyAndItsSource() {
    assertThatThrownBy(
            () -> ConfigLoader.load(Optional.empty(), Map.of(), List.of("kafka.topic=x")))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Unknown config key 'kafka.topic' (from --set)")
        .hasMessageContaining("kafka.topics")
        .satisfies(
            e ->
                assertThat(((MedallionException) e).exitCode())
                    .isEqualTo(MedallionException.EXIT_USAGE));
  }

  @Test
  void unknownKeyInFileNamesTheFile() throws IOException {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "lakehouse.rooot=/x\n");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of(), List.of()))
        .hasMessageStartingWith("Unknown config key 'lakehouse.rooot' (from file " + file + ")");
  }

  @Test
  void unknownEnvironmentVariableWithOurPrefixFails() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(Optional.empty(), Map.of("MEDALLION_LAKEHOUSE", "/x"), List.of()))
        .hasMessageStartingWith(
            "Unknown config key 'lakehouse' (from environment variable MEDALLION_LAKEHOUSE)");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "kafka.max.offsets.per.trigger=abc|'abc' for config key 'kafka.max.offsets.per.trigger'"
            + " (from --set): expected a positive integer",
        "kafka.max.offsets.per.trigger=0|'0' for config key 'kafka.max.offsets.per.trigger' (from"
            + " --set): expected a positive integer",
        "kafka.fail.on.data.loss=maybe|'maybe' for config key 'kafka.fail.on.data.loss' (from"
            + " --set): expected true or false",
        "kafka.bootstrap.servers=localhost|'localhost' for config key 'kafka.bootstrap.servers'"
            + " (from --set): expected a comma-separated list of host:port",
        "kafka.starting.offsets=middle|'middle' for config key 'kafka.starting.offsets' (from"
            + " --set): expected earliest or latest",
        "kafka.topic.pattern=([a|'([a' for config key 'kafka.topic.pattern' (from --set): expected"
            + " a Java regular expression",
        "lakehouse.root=|'' for config key 'lakehouse.root' (from --set): expected a local path or"
            + " a URI such as s3a://bucket/prefix"
      })
  void badValueFailsNamingKeyValueAndWhatIsAllowed(String set, String expected) {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(), List.of(set)))
        .isInstanceOf(MedallionException.class)
        .hasMessage("Invalid value " + expected);
  }

  @Test
  void setWithoutEqualsFails() {
    assertThatThrownBy(
            () -> ConfigLoader.load(Optional.empty(), Map.of(), List.of("lakehouse.root")))
        .hasMessageStartingWith("Cannot parse --set 'lakehouse.root': expected key=value");
  }

  @Test
  void topicsAndPatternTogetherFail() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of(),
                    List.of("kafka.topics=a", "kafka.topic.pattern=ev.*")))
        .hasMessageStartingWith(
            "Conflicting config: kafka.topics (from --set) and kafka.topic.pattern (from --set)");
  }

  @Test
  void missingConfigFileFailsWithItsPath() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing), Map.of(), List.of()))
        .hasMessageStartingWith("Cannot read config file '" + missing + "'");
  }
}
