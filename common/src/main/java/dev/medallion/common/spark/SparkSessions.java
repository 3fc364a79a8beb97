package dev.medallion.common.spark;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.S3Settings;
import dev.medallion.common.delta.FencedS3LogStore;
import dev.medallion.common.files.ProcessFreeLocalFileSystem;
import dev.medallion.common.files.ProcessFreeLocalFs;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the SparkSession every job runs in: Delta's SQL extension and catalog, UTC session time
 * (always: results must not depend on a zone), the s3a settings of the {@code s3.*} keys, and, when
 * the job runs on a laptop, local defaults that keep a 2-core machine fast. Settings given by
 * {@code spark-submit} or as {@code spark.*} config keys always win.
 */
public final class SparkSessions {
  static final String MASTER = "spark.master";
  static final String DEFAULT_MASTER = "local[*]";
  static final String SESSION_TIME_ZONE = "spark.sql.session.timeZone";
  static final String UTC = "UTC";
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  public static SparkSession create(String appName, MedallionConfig config) {
    SparkConf submitted = new SparkConf(true);
    SparkSession.Builder builder =
        SparkSession.builder().appName(appName).master(master(config, submitted));
    settings(config, submitted).forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    // Hours and days are UTC whatever a user, spark-submit or the cluster's defaults set.
    String zone = spark.conf().get(SESSION_TIME_ZONE);
    if (!zone.equals(UTC)) {
      LOG.warn("Ignoring {}={}: medallion computes hours and days in UTC", SESSION_TIME_ZONE, zone);
      spark.conf().set(SESSION_TIME_ZONE, UTC);
    }
    return spark;
  }

  /**
   * The Hadoop configuration a session of {@code config} would have, without starting Spark: what a
   * run needs before it starts one (its layer's lock on s3a), so a refused run is refused at once.
   */
  public static Configuration hadoopConf(MedallionConfig config) {
    SparkConf conf = new SparkConf(true);
    settings(config, conf).forEach(conf::set);
    return SparkHadoopUtil.get().newConfiguration(conf);
  }

  private static String master(MedallionConfig config, SparkConf submitted) {
    return config.sparkConf().getOrDefault(MASTER, submitted.get(MASTER, DEFAULT_MASTER));
  }

  /**
   * The settings medallion gives a session: its defaults, the s3a keys and the config's spark.*
   * keys; a default spark-submit also set is left to spark-submit's value (spark-submit passes its
   * settings as spark.* system properties, which SparkConf reads).
   */
  private static Map<String, String> settings(MedallionConfig config, SparkConf submitted) {
    Map<String, String> conf = new LinkedHashMap<>(defaults());
    if (master(config, submitted).startsWith("local")) {
      conf.putAll(localDefaults());
    }
    conf.putAll(S3Settings.sparkConf(config));
    conf.putAll(config.sparkConf());
    Map<String, String> given = new LinkedHashMap<>();
    conf.forEach(
        (key, value) -> {
          if (!submitted.contains(key) || config.sparkConf().containsKey(key)) {
            given.put(key, value);
          }
        });
    return given;
  }

  static Map<String, String> defaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.put(SESSION_TIME_ZONE, UTC);
    // Every Delta commit on s3a first checks the run's lease (the default S3 log store plus a
    // fence).
    conf.put("spark.delta.logStore.s3a.impl", FencedS3LogStore.class.getName());
    // Local paths without a chmod or readlink process per file (ProcessFreeLocalFileSystem).
    conf.put("spark.hadoop.fs.file.impl", ProcessFreeLocalFileSystem.class.getName());
    conf.put("spark.hadoop.fs.AbstractFileSystem.file.impl", ProcessFreeLocalFs.class.getName());
    // Secrets given as config must not show in the UI, event log or error dumps.
    conf.put(
        "spark.redaction.regex", "(?i)secret|password|token|access[.]key|jaas|credential|sasl");
    return conf;
  }

  /**
   * A laptop is not a cluster: few shuffle partitions, no UI, small snapshot jobs, and few listing
   * tasks (VACUUM lists a table in this many tasks, 10,000 by default, each generating code: 40 s
   * for a table of a few files).
   */
  static Map<String, String> localDefaults() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.shuffle.partitions", "4");
    conf.put("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.databricks.delta.snapshotPartitions", "2");
    return conf;
  }
}
