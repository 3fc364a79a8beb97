package dev.medallion.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The peer: the same Kafka -> bronze -> silver -> gold flow as an open-source Spark Declarative
 * Pipeline ({@code bench/sdp}: two streaming tables, and medallion's six gold declarations as
 * materialized views), run by pyspark's {@code spark-pipelines} from the project's Python
 * environment. Each run is one process tree (the CLI and the local Spark Connect server it starts),
 * timed like medallion's layers. Its tables live in a Derby-backed Hive metastore beside them, so a
 * second run finds what the first created.
 */
final class DeclarativePeer {
  /** What the Spark Connect server needs beyond pyspark's own jars: Kafka's source and Delta. */
  private static final List<String> JARS =
      List.of(
          "spark-sql-kafka-0-10_",
          "spark-token-provider-kafka-0-10_",
          "kafka-clients-",
          "commons-pool2-",
          "delta-spark_",
          "delta-storage-");

  private final Path home;
  private final Path dir;

  /**
   * @param dir the peer's own directory: its spec, code copy, storage, warehouse and metastore
   */
  DeclarativePeer(Path home, Path dir, String servers, String topic) throws IOException {
    this.home = home;
    this.dir = dir;
    Path code = dir.resolve("transformations");
    Files.createDirectories(code);
    copy(home.resolve("bench/sdp/transformations"), ".py", code, UnaryOperator.identity());
    copy(home.resolve("gold/tables"), ".sql", code, DeclarativePeer::asPeerView);
    Path products = home.resolve("silver/src/main/resources/dev/medallion/silver/products.csv");
    String spec =
        String.join(
            "\n",
            "name: medallion_peer",
            "storage: " + dir.resolve("storage").toUri(),
            "libraries:",
            "  - glob:",
            "      include: transformations/**",
            "configuration:",
            "  peer.kafka.bootstrap.servers: \"" + servers + "\"",
            "  peer.kafka.topic: \"" + topic + "\"",
            "  peer.products.path: \"" + products.toUri() + "\"",
            "  peer.fx.rate: \"1.08\"",
            // medallion's own local default: few shuffle partitions on a small machine.
            "  spark.sql.shuffle.partitions: \"4\"",
            // medallion's days and hours are UTC ones.
            "  spark.sql.session.timeZone: \"UTC\"",
            "");
    Files.writeString(dir.resolve("spark-pipeline.yml"), spec, StandardCharsets.UTF_8);
    // The Spark Connect server the CLI starts takes its static settings from spark-defaults.conf
    // only: the CLI's --conf does not reach it, and the spec's configuration is set again on each
    // flow, where a static setting fails.
    String defaults =
        String.join(
            "\n",
            "spark.driver.memory 2g",
            "spark.driver.extraClassPath " + jars(),
            "spark.ui.enabled false",
            "spark.sql.extensions io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog org.apache.spark.sql.delta.catalog.DeltaCatalog",
            // Delta for every table: format="delta" in the code fails on a second run.
            "spark.sql.sources.default delta",
            // A metastore that outlives the run, so the next run finds the tables it made.
            "spark.sql.catalogImplementation hive",
            "spark.sql.pipelines.maxFlowRetryAttempts 0",
            "");
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/spark-defaults.conf"), defaults, StandardCharsets.UTF_8);
  }

  /**
   * A gold table's declaration as one of the peer's materialized views: the same statement, named
   * in the pipeline's own schema and reading its {@code silver_events}.
   */
  static String asPeerView(String declaration) {
    return declaration
        .replace("CREATE MATERIALIZED VIEW gold.", "CREATE MATERIALIZED VIEW ")
        .replace("FROM silver.events", "FROM silver_events");
  }

  /**
   * Writes each {@code suffix} file of {@code from} into {@code to}, its text through {@code as}.
   */
  private static void copy(Path from, String suffix, Path to, UnaryOperator<String> as)
      throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
        Files.writeString(
            to.resolve(file.getFileName()),
            as.apply(Files.readString(file, StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8);
      }
    }
  }

  /** One incremental run of the whole pipeline: new Kafka records through to the gold tables. */
  TimedProcess.Result run(Path work) throws IOException, InterruptedException {
    Path python = home.resolve("target/python/bin");
    return TimedProcess.run(
        List.of(
            "env",
            // Tables (spark-warehouse) and the Hive metastore (metastore_db) go to the directory.
            "--chdir=" + dir,
            "SPARK_CONF_DIR=" + dir.resolve("conf"),
            "SPARK_LOCAL_IP=127.0.0.1",
            "PYSPARK_PYTHON=" + python.resolve("python"),
            "PYSPARK_DRIVER_PYTHON=" + python.resolve("python"),
            python.resolve("spark-pipelines").toString(),
            "--remote",
            "local[*]",
            "run",
            "--spec",
            dir.resolve("spark-pipeline.yml").toString()),
        work);
  }

  /** The jars of {@link #JARS}, from medallion's own classpath (Maven's repository). */
  private String jars() throws IOException {
    String classpath = Files.readString(home.resolve("launcher/target/medallion.classpath")).trim();
    List<String> found =
        Arrays.stream(classpath.split(":"))
            .filter(
                jar ->
                    JARS.stream()
                        .anyMatch(name -> Path.of(jar).getFileName().toString().startsWith(name)))
            .toList();
    if (found.size() != JARS.size()) {
      throw new IllegalStateException(
          "The peer needs " + JARS + " from medallion's classpath; found only " + found);
    }
    return String.join(":", found);
  }
}
