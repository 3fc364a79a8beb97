package dev.medallion.common.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every configuration key medallion owns, with its default. Keys under {@value #SPARK_PREFIX} go to
 * Spark as they are, and keys under {@value #KAFKA_CONSUMER_PREFIX} go to the Kafka consumer
 * without the prefix; any other key not listed here is an error.
 */
public final class Settings {
  public static final String SPARK_PREFIX = "spark.";
  public static final String KAFKA_CONSUMER_PREFIX = "kafka.consumer.";

  public static final Setting<String> LAKEHOUSE_ROOT =
      new Setting<>(
          "lakehouse.root",
          "./lakehouse",
          Parsers::nonBlank,
          "a local path or a URI such as s3a://bucket/prefix",
          "Base of every table and checkpoint: a local path or `s3a://bucket/prefix`.");

  public static final Setting<List<String>> KAFKA_BOOTSTRAP_SERVERS =
      new Setting<>(
          "kafka.bootstrap.servers",
          "",
          Parsers::hostPorts,
          "a comma-separated list of host:port",
          "Kafka brokers bronze reads from (required by bronze).");

  public static final Setting<List<String>> KAFKA_TOPICS =
      new Setting<>(
          "kafka.topics",
          "events",
          Parsers::commaList,
          "a comma-separated list of topic names",
          "Topics bronze reads (ignored when kafka.topic.pattern is set).");

  public static final Setting<String> KAFKA_TOPIC_PATTERN =
      new Setting<>(
          "kafka.topic.pattern",
          "",
          Parsers::regexOrEmpty,
          "a Java regular expression",
          "Subscribe to every topic matching this pattern instead of kafka.topics.");

  public static final Setting<Long> KAFKA_MAX_OFFSETS_PER_TRIGGER =
      new Setting<>(
          "kafka.max.offsets.per.trigger",
          "2000000",
          Parsers::positiveLong,
          "a positive integer",
          "Upper bound of Kafka records per bronze micro-batch (bounds its files and the work a"
              + " retry repeats).");

  public static final Setting<Integer> KAFKA_MIN_PARTITIONS =
      new Setting<>(
          "kafka.min.partitions",
          "0",
          Parsers::nonNegativeInt,
          "a non-negative integer (0: one Spark task per Kafka partition)",
          "Split Kafka partitions into at least this many Spark tasks (0: one per partition).");

  public static final Setting<String> KAFKA_STARTING_OFFSETS =
      new Setting<>(
          "kafka.starting.offsets",
          "earliest",
          raw -> Parsers.oneOf(raw, "earliest", "latest"),
          "earliest or latest",
          "Where a new bronze table starts reading (later runs continue from the checkpoint).");

  public static final Setting<Boolean> KAFKA_FAIL_ON_DATA_LOSS =
      new Setting<>(
          "kafka.fail.on.data.loss",
          "true",
          Parsers::bool,
          "true or false",
          "Stop when offsets bronze has not read yet were deleted by Kafka's retention.");

  public static final Setting<Integer> SILVER_MAX_FILES_PER_TRIGGER =
      new Setting<>(
          "silver.max.files.per.trigger",
          "1000",
          raw -> Math.toIntExact(Parsers.positiveLong(raw)),
          "a positive integer",
          "Upper bound of bronze files per silver micro-batch.");

  public static final Setting<String> SILVER_MAX_BYTES_PER_TRIGGER =
      new Setting<>(
          "silver.max.bytes.per.trigger",
          "256m",
          Parsers::byteSize,
          "a size such as 268435456, 512k, 256m or 1g",
          "Soft upper bound of bronze bytes per silver micro-batch (bounds memory).");

  public static final Setting<java.math.BigDecimal> SILVER_FX_RATE =
      new Setting<>(
          "silver.fx.rate",
          "1.08",
          Parsers::positiveDecimal,
          "a positive decimal number",
          "`revenue_usd = revenue x rate`.");

  public static final Setting<Integer> SILVER_FUTURE_TOLERANCE_HOURS =
      new Setting<>(
          "silver.future.tolerance.hours",
          "24",
          Parsers::nonNegativeInt,
          "a non-negative integer",
          "Events timestamped more than this many hours after their ingestion into bronze go to the"
              + " quarantine.");

  public static final Setting<Double> SILVER_QUARANTINE_MAX_RATIO =
      new Setting<>(
          "silver.quarantine.max.ratio",
          "0.05",
          Parsers::ratio,
          "a number from 0 to 1",
          "Share of a run's records (tombstones aside) that may go to the quarantine before"
              + " `silver.quarantine.ratio.action` applies: a producer that changed a field is"
              + " noticed the same run.");

  public static final Setting<String> SILVER_QUARANTINE_RATIO_ACTION =
      new Setting<>(
          "silver.quarantine.ratio.action",
          "warn",
          raw -> Parsers.oneOf(raw, "warn", "fail"),
          "warn or fail",
          "Above the ratio: `warn` (a warning in the log and the summary line) or `fail` (exit 1"
              + " after the run's commits, which stay exact).");

  public static final Setting<String> SILVER_REFERENCE_PRODUCTS =
      new Setting<>(
          "silver.reference.products.path",
          "",
          Parsers::text,
          "a CSV file, a Parquet file or directory, or a Delta table (empty: the bundled sample)",
          "Product reference data (the bundled sample when empty): a `.csv` file with a header,"
              + " Parquet, or a Delta table; columns `product_id` (required), `product_name`,"
              + " `category`, `brand`.");

  public static final Setting<Integer> ANOMALY_TRAILING_RUNS =
      new Setting<>(
          "anomaly.trailing.runs",
          "10",
          Parsers::nonNegativeInt,
          "a non-negative integer (0: no anomaly checks)",
          "Silver's anomaly checks compare a run with the median of this many of its last"
              + " successful runs that read records and held none back for an anomaly; they begin"
              + " once 3 such runs are in the run ledger.");

  public static final Setting<Double> ANOMALY_VOLUME_BAND =
      new Setting<>(
          "anomaly.volume.band",
          "5",
          Parsers::atLeastOne,
          "a number of at least 1",
          "A silver run about to read fewer than the trailing median's records divided by this,"
              + " or more than the median times this, is an anomaly.");

  public static final Setting<Double> ANOMALY_NULL_RATE_BAND =
      new Setting<>(
          "anomaly.null.rate.band",
          "0.2",
          Parsers::ratio,
          "a number from 0 to 1",
          "A micro-batch (of 1,000 valid events or more) in which an optional field (user_id,"
              + " session_id, product_id, revenue, metadata) is null more or less often than its"
              + " trailing median share by more than this is an anomaly.");

  public static final Setting<Double> ANOMALY_QUARANTINE_JUMP =
      new Setting<>(
          "anomaly.quarantine.jump",
          "0.1",
          Parsers::ratio,
          "a number from 0 to 1",
          "A micro-batch (of 1,000 records or more) whose share of quarantined records exceeds"
              + " the trailing median share by more than this is an anomaly.");

  public static final Setting<String> ANOMALY_ACTION =
      new Setting<>(
          "anomaly.action",
          "warn",
          raw -> Parsers.oneOf(raw, "warn", "quarantine", "fail"),
          "warn, quarantine or fail",
          "On an anomaly: `warn` (a warning in the ledger and an alert), `quarantine` (the"
              + " anomalous records go to the quarantine with reason `ANOMALY`, for a `quarantine"
              + " --replay --reason ANOMALY` once checked) or `fail` (the run stops before"
              + " committing them).");

  public static final Setting<Integer> GOLD_MAX_FILES_PER_TRIGGER =
      new Setting<>(
          "gold.max.files.per.trigger",
          "1000",
          raw -> Math.toIntExact(Parsers.positiveLong(raw)),
          "a positive integer",
          "Upper bound of silver change files per gold micro-batch.");

  public static final Setting<String> GOLD_TABLES_DIR =
      new Setting<>(
          "gold.tables.dir",
          "",
          raw -> raw,
          "a folder on the driver's file system, or empty",
          "A folder of `.sql` files, one gold table each (`CREATE MATERIALIZED VIEW gold.<name>"
              + " ...`, see \"Adding a gold table\"), built beside the bundled tables; empty for"
              + " the bundled tables alone.");

  public static final Setting<Integer> LOCK_LEASE_SECONDS =
      new Setting<>(
          "lock.lease.seconds",
          "300",
          raw -> Math.toIntExact(Parsers.positiveLong(raw)),
          "a positive number of seconds",
          "On object stores, how long a run lock outlives a run that died without releasing it.");

  public static final Setting<String> ALERTS_WEBHOOK_URL =
      new Setting<>(
          "alerts.webhook.url",
          "",
          Parsers::httpUrlOrEmpty,
          "an http(s) URL (empty: alerts go to the log only)",
          "Where alerts (a failed run, a run's warning, a slow micro-batch) are POSTed as JSON,"
              + " retried 3 times; a secret (it often carries a token): pass it as"
              + " MEDALLION_ALERTS_WEBHOOK_URL.");

  public static final Setting<Long> ALERTS_MIN_ROWS_PER_SECOND =
      new Setting<>(
          "alerts.min.rows.per.second",
          "0",
          Parsers::nonNegativeLong,
          "a non-negative number (0: no floor)",
          "Alert once per run when a micro-batch processes fewer rows per second than this.");

  public static final Setting<String> LINEAGE_URL =
      new Setting<>(
          "lineage.url",
          "",
          Parsers::httpUrlOrEmpty,
          "an http(s) URL (empty: no lineage events)",
          "Where each run's OpenLineage events (START, then COMPLETE or FAIL, with the topics and"
              + " tables read and written and their versions) are POSTed, e.g. Marquez's"
              + " `http://marquez:5000/api/v1/lineage`.");

  public static final Setting<String> LINEAGE_NAMESPACE =
      new Setting<>(
          "lineage.namespace",
          "medallion",
          Parsers::nonBlank,
          "a name",
          "The OpenLineage job namespace of the layers' jobs (`bronze`, `silver`, `gold`).");

  public static final Setting<String> LINEAGE_API_TOKEN =
      new Setting<>(
          "lineage.api.token",
          "",
          Parsers::text,
          "a token (empty: no Authorization header)",
          "Sent as `Authorization: Bearer <token>` with lineage events; a secret: pass it as"
              + " MEDALLION_LINEAGE_API_TOKEN.");

  public static final Setting<String> PROGRESS =
      new Setting<>(
          "progress",
          "auto",
          raw -> Parsers.oneOf(raw, "auto", "on", "off"),
          "auto, on or off",
          "A line per micro-batch on standard error (rows, rate, total): `auto` on a terminal"
              + " only; `--quiet` sets `off` and leaves the summary line and warnings.");

  public static final Setting<Long> STATUS_MAX_AGE_MINUTES =
      new Setting<>(
          "status.max.age.minutes",
          "0",
          Parsers::nonNegativeLong,
          "a non-negative number of minutes (0: no limit)",
          "`status` exits 3 when a table's last successful run of its layer is older than this.");

  public static final Setting<Long> STATUS_MAX_KAFKA_LAG =
      new Setting<>(
          "status.max.kafka.lag",
          "0",
          Parsers::nonNegativeLong,
          "a non-negative number of records (0: no limit)",
          "`status` exits 3 when Kafka holds more records than this that bronze has not"
              + " ingested.");

  public static final Setting<Long> STATUS_MAX_VERSION_LAG =
      new Setting<>(
          "status.max.version.lag",
          "0",
          Parsers::nonNegativeLong,
          "a non-negative number of table versions (0: no limit)",
          "`status` exits 3 when silver or gold has more versions of its upstream table than"
              + " this still to read.");

  public static final Setting<String> SERVE_HOST =
      new Setting<>(
          "serve.host",
          "127.0.0.1",
          Parsers::nonBlank,
          "a host name or IP address of this machine",
          "Where `serve` listens (both endpoints). Beyond loopback it needs `serve.token`.");

  public static final Setting<Integer> SERVE_THRIFT_PORT =
      new Setting<>(
          "serve.thrift.port",
          "10000",
          Parsers::port,
          "a TCP port (1-65535)",
          "`serve`'s HiveServer2 (Spark Thrift Server) port: JDBC `jdbc:hive2://`, ODBC, PyHive.");

  public static final Setting<Integer> SERVE_CONNECT_PORT =
      new Setting<>(
          "serve.connect.port",
          "15002",
          Parsers::port,
          "a TCP port (1-65535)",
          "`serve`'s Spark Connect port: `sc://` clients (pyspark) and the `jdbc:sc://` driver.");

  public static final Setting<String> SERVE_TOKEN =
      new Setting<>(
          "serve.token",
          "",
          Parsers::text,
          "a token (empty: no authentication, loopback only)",
          "The password HiveServer2 clients send (any user name) and Spark Connect clients'"
              + " token; a secret: pass it as MEDALLION_SERVE_TOKEN.");

  public static final Setting<List<String>> SERVE_SCHEMAS =
      new Setting<>(
          "serve.schemas",
          "silver,gold,ops",
          Parsers::servedSchemas,
          "a comma-separated list of bronze, silver, gold and ops",
          "The schemas `serve` exposes. bronze (raw Kafka values: whatever producers sent) is off"
              + " by default.");

  public static final Setting<String> SERVE_TLS_KEYSTORE =
      new Setting<>(
          "serve.tls.keystore",
          "",
          Parsers::text,
          "a path to a JKS or PKCS12 keystore (empty: no TLS)",
          "The keystore (server key and certificate) with which `serve`'s HiveServer2 speaks TLS.");

  public static final Setting<String> SERVE_TLS_KEYSTORE_PASSWORD =
      new Setting<>(
          "serve.tls.keystore.password",
          "",
          Parsers::text,
          "the keystore's password",
          "Password of `serve.tls.keystore`; a secret: pass it as"
              + " MEDALLION_SERVE_TLS_KEYSTORE_PASSWORD.");

  public static final Setting<Boolean> SERVE_PLAINTEXT =
      new Setting<>(
          "serve.plaintext",
          "false",
          Parsers::bool,
          "true or false",
          "Beyond loopback, let clients send the token over plain text: HiveServer2 without"
              + " `serve.tls.keystore`, and Spark Connect (no TLS in Spark 4.2), which otherwise"
              + " stays on 127.0.0.1.");

  public static final Setting<String> S3_ENDPOINT =
      new Setting<>(
          "s3.endpoint",
          "",
          Parsers::httpUrlOrEmpty,
          "an http:// or https:// URL (empty: AWS S3 of s3.region)",
          "S3-compatible endpoint URL for `s3a://` roots, e.g. `https://minio:9000` (empty: AWS).");

  public static final Setting<String> S3_REGION =
      new Setting<>(
          "s3.region",
          "",
          Parsers::text,
          "an AWS region name such as eu-west-1 (empty: the SDK's region lookup)",
          "Region of the bucket, e.g. `eu-west-1` (empty: the SDK looks it up).");

  public static final Setting<Boolean> S3_PATH_STYLE_ACCESS =
      new Setting<>(
          "s3.path.style.access",
          "false",
          Parsers::bool,
          "true or false",
          "Address buckets as endpoint/bucket instead of bucket.endpoint (most non-AWS servers).");

  public static final Setting<String> S3_ACCESS_KEY =
      new Setting<>(
          "s3.access.key",
          "",
          Parsers::text,
          "an access key id, with s3.secret.key (empty: the AWS default credential chain)",
          "Static S3 credentials with `s3.secret.key`, both or neither; when empty, s3a's own key"
              + " settings, else the AWS default credential chain. Pass them as environment"
              + " variables.");

  public static final Setting<String> S3_SECRET_KEY =
      new Setting<>(
          "s3.secret.key",
          "",
          Parsers::text,
          "a secret access key, with s3.access.key",
          "Secret of s3.access.key; pass it as MEDALLION_S3_SECRET_KEY, never on a command line.");

  public static final Setting<String> S3_SESSION_TOKEN =
      new Setting<>(
          "s3.session.token",
          "",
          Parsers::text,
          "a session token of temporary credentials, with s3.access.key and s3.secret.key",
          "Session token of temporary static credentials.");

  private static final List<Setting<?>> ALL =
      List.of(
          LAKEHOUSE_ROOT,
          KAFKA_BOOTSTRAP_SERVERS,
          KAFKA_TOPICS,
          KAFKA_TOPIC_PATTERN,
          KAFKA_MAX_OFFSETS_PER_TRIGGER,
          KAFKA_MIN_PARTITIONS,
          KAFKA_STARTING_OFFSETS,
          KAFKA_FAIL_ON_DATA_LOSS,
          SILVER_MAX_FILES_PER_TRIGGER,
          SILVER_MAX_BYTES_PER_TRIGGER,
          SILVER_FX_RATE,
          SILVER_FUTURE_TOLERANCE_HOURS,
          SILVER_QUARANTINE_MAX_RATIO,
          SILVER_QUARANTINE_RATIO_ACTION,
          SILVER_REFERENCE_PRODUCTS,
          ANOMALY_TRAILING_RUNS,
          ANOMALY_VOLUME_BAND,
          ANOMALY_NULL_RATE_BAND,
          ANOMALY_QUARANTINE_JUMP,
          ANOMALY_ACTION,
          GOLD_MAX_FILES_PER_TRIGGER,
          GOLD_TABLES_DIR,
          LOCK_LEASE_SECONDS,
          ALERTS_WEBHOOK_URL,
          ALERTS_MIN_ROWS_PER_SECOND,
          LINEAGE_URL,
          LINEAGE_NAMESPACE,
          LINEAGE_API_TOKEN,
          PROGRESS,
          STATUS_MAX_AGE_MINUTES,
          STATUS_MAX_KAFKA_LAG,
          STATUS_MAX_VERSION_LAG,
          SERVE_HOST,
          SERVE_THRIFT_PORT,
          SERVE_CONNECT_PORT,
          SERVE_TOKEN,
          SERVE_SCHEMAS,
          SERVE_TLS_KEYSTORE,
          SERVE_TLS_KEYSTORE_PASSWORD,
          SERVE_PLAINTEXT,
          S3_ENDPOINT,
          S3_REGION,
          S3_PATH_STYLE_ACCESS,
          S3_ACCESS_KEY,
          S3_SECRET_KEY,
          S3_SESSION_TOKEN);

  private static final Map<String, Setting<?>> BY_KEY = index(ALL);

  private Settings() {}

  /** Every owned setting by key, sorted. */
  public static Map<String, Setting<?>> byKey() {
    return BY_KEY;
  }

  private static Map<String, Setting<?>> index(List<Setting<?>> settings) {
    Map<String, Setting<?>> byKey = new TreeMap<>();
    settings.forEach(setting -> byKey.put(setting.key(), setting));
    return java.util.Collections.unmodifiableMap(byKey);
  }

  static boolean isPassThrough(String key) {
    return key.startsWith(SPARK_PREFIX) || key.startsWith(KAFKA_CONSUMER_PREFIX);
  }
}
