package dev.medallion.testkit.testing;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.table.TableLocations;
import dev.medallion.sample.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the layers' integration tests: one real Kafka broker and one SparkSession per test class
 * (both stopped after it), and a fresh lakehouse directory per test.
 */
public abstract class PipelineIT {
  protected static EmbeddedKafka kafka;
  protected static SparkSession spark;

  @TempDir protected Path lakehouse;

  @BeforeAll
  static void startKafkaAndSpark() {
    kafka = EmbeddedKafka.start(Path.of("target", "kafka"));
    spark = TestSpark.session(TestSpark.config(Map.of()));
  }

  @AfterAll
  static void stopKafkaAndSpark() {
    if (spark != null) {
      spark.stop();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  protected TableLocations tables() {
    return new TableLocations(lakehouse.toString());
  }

  /**
   * A config reading {@code topic} from the broker into this test's lakehouse, plus {@code extra}.
   */
  protected MedallionConfig config(String topic, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    settings.put("kafka.topics", topic);
    settings.put("lakehouse.root", lakehouse.toString());
    return TestSpark.config(settings);
  }
}
