package dev.medallion.launcher;

import dev.medallion.common.config.ConfigLoader;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.error.Errors;
import dev.medallion.common.files.LocalFiles;
import dev.medallion.common.spark.SparkSessions;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldTable;
import dev.medallion.gold.GoldTables;
import dev.medallion.sample.events.EventProducer;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bin/medallion demo}: the whole pipeline on a laptop with nothing installed. Starts a real
 * Kafka broker in this JVM, produces generated events (with duplicates, late and invalid records),
 * runs every layer, prints what landed where, and leaves the tables on disk.
 */
final class Demo {
  static final String EVENTS = "events";
  static final String SEED = "seed";
  static final int DEFAULT_EVENTS = 200_000;
  static final int PARTITIONS = 3;

  /** Marks a lakehouse the demo made, so that a later demo may replace it and nothing else. */
  static final String MARKER = ".medallion-demo";

  static final String TOP_HOURS =
      "SELECT window_start, event_type, event_count, total_revenue, unique_users, avg_order_value"
          + " FROM gold.hourly_revenue WHERE event_type = 'purchase' ORDER BY total_revenue DESC"
          + " LIMIT 10";

  private Demo() {}

  static void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(EVENTS)
            .hasArg()
            .argName("N")
            .desc("events to generate (default " + DEFAULT_EVENTS + ")")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(SEED)
            .hasArg()
            .argName("S")
            .desc("generator seed (default 42)")
            .get());
  }

  static void run(CommandLine line, MedallionConfig config, PrintStream out) {
    int events = parsePositive(line.getOptionValue(EVENTS, String.valueOf(DEFAULT_EVENTS)), EVENTS);
    long seed = parsePositive(line.getOptionValue(SEED, "42"), SEED);
    if (config.lakehouseRoot().contains("://")) {
      throw Errors.usage(
          "The demo writes a local lakehouse, not "
              + config.lakehouseRoot()
              + ": give a directory as lakehouse.root, or run bronze, silver and gold one by one"
              + " against object storage");
    }
    Path root = Path.of(config.lakehouseRoot()).toAbsolutePath().normalize();
    prepareLakehouse(root);
    Path kafkaDir = createTempDirectory();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir)) {
      String topic = config.get(Settings.KAFKA_TOPICS).get(0);
      kafka.createTopic(topic, PARTITIONS);
      long produced;
      try (EventProducer producer = new EventProducer(kafka.bootstrapServers(), topic)) {
        produced = producer.send(GeneratorSpec.realistic(seed, events));
      }
      out.printf(
          "demo: produced %d records (%d events plus duplicates and invalid ones) to topic %s%n",
          produced, events, topic);
      MedallionConfig demoConfig =
          ConfigLoader.withSets(
              config,
              Map.of(
                  Settings.KAFKA_BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers(),
                  Settings.LAKEHOUSE_ROOT.key(), root.toString(),
                  Settings.KAFKA_TOPICS.key(), topic));
      runLayers(demoConfig, out);
    } finally {
      LocalFiles.deleteRecursively(kafkaDir);
    }
  }

  private static void runLayers(MedallionConfig config, PrintStream out) {
    TableLocations tables = config.tables();
    SparkSession spark = SparkSessions.create("medallion-demo", config);
    try {
      LayerRuns.runAll(spark, config, out);
      out.println();
      out.println("demo: tables");
      printTable(spark, out, "bronze.events", tables.bronzeEvents());
      printTable(spark, out, "silver.events", tables.silverEvents());
      printTable(spark, out, "silver.quarantine", tables.silverQuarantine());
      for (GoldTable table : GoldTables.of(config).all()) {
        printTable(spark, out, "gold." + table.name(), tables.of(table.spec()));
      }
      SqlCatalog.register(spark, TableCatalog.of(config), tables, SqlCatalog.SCHEMAS);
      out.println();
      out.println("demo: top hours of gold.hourly_revenue by revenue");
      ResultPrinter.TABLE.print(spark.sql(TOP_HOURS), 10, out);
      out.println();
      out.println(
          "Query them with SQL (tables: bronze.events, silver.events, silver.quarantine, gold.*):");
      out.printf(
          "  bin/medallion sql --set lakehouse.root=%s \"SELECT * FROM gold.daily_funnel ORDER BY"
              + " event_date\"%n",
          tables.root());
    } finally {
      spark.stop();
    }
  }

  private static void printTable(SparkSession spark, PrintStream out, String name, String path) {
    long rows = spark.read().format("delta").load(path).count();
    out.printf("  %-26s %,10d rows  %s%n", name, rows, path);
  }

  /** Refuses to touch a lakehouse the demo did not make; replaces one it made before. */
  static void prepareLakehouse(Path root) {
    try {
      if (Files.isDirectory(root)) {
        try (Stream<Path> entries = Files.list(root)) {
          if (entries.findAny().isPresent()) {
            if (!Files.exists(root.resolve(MARKER))) {
              throw Errors.usage(
                  "Cannot run the demo in "
                      + root
                      + ": it is not empty and no earlier demo made it; pass --set"
                      + " lakehouse.root=<new directory>");
            }
            LocalFiles.deleteRecursively(root);
          }
        }
      }
      Files.createDirectories(root);
      Files.writeString(
          root.resolve(MARKER),
          "made by bin/medallion demo; the next demo replaces this directory\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the demo lakehouse " + root, e);
    }
  }

  static int parsePositive(String raw, String option) {
    try {
      int value = Integer.parseInt(raw);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Errors.usage(
        "Invalid value '" + raw + "' for --" + option + ": expected a positive integer");
  }

  static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("medallion-demo-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a directory for the embedded broker", e);
    }
  }
}
