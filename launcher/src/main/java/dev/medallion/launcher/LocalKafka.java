package dev.medallion.launcher;

import dev.medallion.common.error.Errors;
import dev.medallion.common.files.LocalFiles;
import dev.medallion.sample.events.Event;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.EventProducer;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.sample.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code bin/medallion local-kafka}: a real Kafka broker on 127.0.0.1 with generated events, for
 * trying the layers one command at a time (or from Airflow) without a Kafka installation. It prints
 * {@code bootstrap.servers=HOST:PORT} once the events are in, then serves until its standard input
 * closes (Ctrl-D) or it is stopped. A number typed on standard input produces that many more events
 * (the next batch of the same stream, with duplicates of earlier ones), for trying incremental
 * runs.
 */
final class LocalKafka {
  static final String EVENTS = "events";
  static final String SEED = "seed";
  static final String TOPIC = "topic";
  static final String TRUTH = "truth";

  private LocalKafka() {}

  static void addOptions(Options options) {
    options.addOption(
        Option.builder()
            .longOpt(EVENTS)
            .hasArg()
            .argName("N")
            .desc("events to produce (default 100000)")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(SEED)
            .hasArg()
            .argName("S")
            .desc("generator seed (default 42)")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(TOPIC)
            .hasArg()
            .argName("NAME")
            .desc("topic (default events)")
            .get());
    options.addOption(
        Option.builder()
            .longOpt(TRUTH)
            .hasArg()
            .argName("FILE")
            .desc("write the unique valid events (the ground truth) as JSON lines")
            .get());
  }

  static void run(CommandLine line, PrintStream out, InputStream in) {
    int events = Demo.parsePositive(line.getOptionValue(EVENTS, "100000"), EVENTS);
    long seed = Demo.parsePositive(line.getOptionValue(SEED, "42"), SEED);
    String topic = line.getOptionValue(TOPIC, "events");
    Path dir = Demo.createTempDirectory();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
      kafka.createTopic(topic, Demo.PARTITIONS);
      GeneratorSpec spec = GeneratorSpec.realistic(seed, events);
      try (EventProducer producer = new EventProducer(kafka.bootstrapServers(), topic)) {
        long produced = producer.send(spec); // streamed: millions of events need not fit in memory
        if (line.hasOption(TRUTH)) {
          writeTruth(
              Path.of(line.getOptionValue(TRUTH)), GroundTruth.of(EventGenerator.generate(spec)));
        }
        out.println("bootstrap.servers=" + kafka.bootstrapServers());
        out.printf(
            "local-kafka: %d records in topic %s; type a number to produce that many more events,"
                + " close standard input (Ctrl-D) to stop%n",
            produced, topic);
        out.flush();
        serve(producer, spec, in, out);
      }
    } finally {
      LocalFiles.deleteRecursively(dir);
    }
  }

  private static void writeTruth(Path file, GroundTruth truth) {
    try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Event event : truth.events().values()) {
        writer.write(event.toJson());
        writer.newLine();
      }
    } catch (IOException e) {
      throw Errors.usage("Cannot write the ground truth to " + file + ": " + e.getMessage());
    }
  }

  /** Until the input closes: each line holding a number produces the next batch of that size. */
  private static void serve(
      EventProducer producer, GeneratorSpec spec, InputStream in, PrintStream out) {
    GeneratorSpec last = spec;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String request = reader.readLine(); request != null; request = reader.readLine()) {
        if (!request.strip().matches("[1-9][0-9]{0,8}")) {
          out.println(
              "local-kafka: type a number of events to produce, or close standard input to stop");
          continue;
        }
        last = last.next(Integer.parseInt(request.strip()));
        out.printf("local-kafka: produced %d more records%n", producer.send(last));
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
