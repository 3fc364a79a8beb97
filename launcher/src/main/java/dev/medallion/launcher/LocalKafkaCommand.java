package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code local-kafka}: a broker with generated events for trying the layers by hand. */
final class LocalKafkaCommand implements Command {
  @Override
  public String commandName() {
    return "local-kafka";
  }

  @Override
  public String description() {
    return "serve a local Kafka broker with generated events until standard input closes";
  }

  @Override
  public void addOptions(Options options) {
    LocalKafka.addOptions(options);
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    LocalKafka.run(line, out, System.in);
  }
}
