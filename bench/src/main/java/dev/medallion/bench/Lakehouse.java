package dev.medallion.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One lakehouse the harness runs {@code bin/medallion} against, each run a timed process. */
final class Lakehouse {
  private final Path home;
  private final Path work;
  private final List<String> settings = new ArrayList<>();
  private final List<String> prefix = new ArrayList<>();

  Lakehouse(Path home, Path work, String root, String servers, String topic, String... more) {
    this.home = home;
    this.work = work;
    List<String> all =
        new ArrayList<>(
            List.of(
                "lakehouse.root=" + root,
                "kafka.bootstrap.servers=" + servers,
                "kafka.topics=" + topic));
    all.addAll(Arrays.asList(more));
    for (String setting : all) {
      settings.add("--set");
      settings.add(setting);
    }
  }

  /** Runs every command under {@code command} (e.g. {@code taskset -c 0}); returns this. */
  Lakehouse under(String... command) {
    prefix.addAll(Arrays.asList(command));
    return this;
  }

  TimedProcess.Result run(String layer, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(prefix);
    command.add(home.resolve("bin/medallion").toString());
    command.add(layer);
    command.addAll(Arrays.asList(args));
    command.addAll(settings);
    return TimedProcess.run(command, work);
  }
}
