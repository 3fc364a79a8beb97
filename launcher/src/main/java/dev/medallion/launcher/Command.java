package dev.medallion.launcher;

import dev.medallion.bronze.BronzeJob;
import dev.medallion.common.RunSummary;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.spark.SparkSessions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The commands of {@code bin/medallion}, each with its own options. */
enum Command {
  BRONZE("bronze", "ingest new Kafka records into bronze/events (Trigger.AvailableNow)") {
    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      BronzeJob.validate(config);
      runJob("bronze", config, out, BronzeJob::run);
    }
  },
  DEMO("demo", "start an embedded Kafka broker, produce generated events and run every layer") {
    @Override
    void addOptions(Options options) {
      Demo.addOptions(options);
    }

    @Override
    void run(CommandLine line, MedallionConfig config, PrintStream out) {
      Demo.run(line, config, out);
    }
  };

  private static final Logger LOG = LoggerFactory.getLogger(Command.class);

  private final String commandName;
  private final String description;

  Command(String commandName, String description) {
    this.commandName = commandName;
    this.description = description;
  }

  String commandName() {
    return commandName;
  }

  String description() {
    return description;
  }

  void addOptions(Options options) {}

  abstract void run(CommandLine line, MedallionConfig config, PrintStream out);

  static Optional<Command> named(String name) {
    return Arrays.stream(values()).filter(c -> c.commandName.equals(name)).findFirst();
  }

  /** A layer job: one Spark application, its summary line printed at the end. */
  interface Job {
    RunSummary run(SparkSession spark, MedallionConfig config);
  }

  static void runJob(String layer, MedallionConfig config, PrintStream out, Job job) {
    LOG.info("medallion {} with config:\n{}", layer, config.maskedDump());
    SparkSession spark = SparkSessions.create("medallion-" + layer, config);
    try {
      RunSummary summary = job.run(spark, config);
      LOG.info("{}", summary.line());
      out.println(summary.line());
    } finally {
      spark.stop();
    }
  }
}
