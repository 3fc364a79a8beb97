package dev.medallion.common.spark;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.S3Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every job runs in: Delta's SQL extension and catalog, UTC session time,
 * the s3a settings of the {@code s3.*} keys, and, when the job runs on a laptop, local defaults
 * that keep a 2-core machine fast. Settings given by {@code spark-submit} or as {@code spark.*}
 * config keys always win.
 */
public final class SparkSessions {
  static final String MASTER = "spark.master";
  static final String DEFAULT_MASTER = "local[*]";

  private SparkSessions() {}

  public static SparkSession create(String appName, MedallionConfig config) {
    // spark-submit passes its settings as spark.* system properties, which SparkConf reads.
    SparkConf submitted = new SparkConf(true);
    Map<String, String> conf = new LinkedHashMap<>(defaults());
    String master =
        config.sparkConf().getOrDefault(MASTER, submitted.get(MASTER, DEFAULT_MASTER));
    if (master.startsWith("local")) {
      conf.putAll(localDefaults());
    }
    conf.putAll(S3Settings.sparkConf(config));
    conf.putAll(config.sparkConf());
    SparkSession.Builder builder = SparkSession.builder().appName(appName).master(master);
    conf.forEach(
        (key, value) -> {
          if (!submitted.contains(key) || config.sparkConf().containsKey(key)) {
            builder.config(key, value);
          }
        });
    return builder.getOrCreate();
  }

  static Map<String, String> defaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.put("spark.sql.session.timeZone", "UTC");
    // Secrets given as config must not show in the UI, event log or error dumps.
    conf.put("spark.redaction.regex", "(?i)secret|password|token|access[.]key|jaas|credential|sasl");
    return conf;
  }

  /** A laptop is not a cluster: few shuffle partitions, no UI, small snapshot jobs. */
  static Map<String, String> localDefaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.shuffle.partitions", "4");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.databricks.delta.snapshotPartitions", "2");
    return conf;
  }
}
