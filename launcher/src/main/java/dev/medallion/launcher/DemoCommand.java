package dev.medallion.launcher;

import dev.medallion.common.config.MedallionConfig;
import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code demo}: the whole flow on an embedded broker ({@link Demo}). */
final class DemoCommand implements Command {
  @Override
  public String commandName() {
    return "demo";
  }

  @Override
  public String description() {
    return "start an embedded Kafka broker, produce generated events and run every layer";
  }

  @Override
  public void addOptions(Options options) {
    Demo.addOptions(options);
  }

  @Override
  public void run(CommandLine line, MedallionConfig config, PrintStream out) {
    Demo.run(line, config, out);
  }
}
