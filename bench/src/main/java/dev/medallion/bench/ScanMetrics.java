package dev.medallion.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a run's file scans read, from the Spark event log it wrote (uncompressed): the rows they
 * returned and the files they opened, the Delta log's own files included. Summed over the scans of
 * every query: a table read twice counts twice, as it costs twice.
 */
record ScanMetrics(long rowsRead, long filesRead) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static ScanMetrics of(Path eventLogDir) throws IOException {
    Set<Long> rows = new HashSet<>();
    Set<Long> files = new HashSet<>();
    Map<Long, Long> updates = new HashMap<>();
    List<Path> logs;
    try (Stream<Path> paths = Files.walk(eventLogDir)) {
      logs =
          paths.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".crc")).toList();
    }
    for (Path log : logs) {
      try (BufferedReader lines = Files.newBufferedReader(log)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          JsonNode event = JSON.readTree(line);
          String name = event.path("Event").asText();
          if (name.endsWith("SparkListenerSQLExecutionStart")
              || name.endsWith("SparkListenerSQLAdaptiveExecutionUpdate")) {
            scans(event.path("sparkPlanInfo"), rows, files);
          } else if (name.endsWith("SparkListenerDriverAccumUpdates")) {
            for (JsonNode update : event.path("accumUpdates")) {
              updates.merge(update.get(0).asLong(), update.get(1).asLong(), Long::sum);
            }
          } else if (name.equals("SparkListenerTaskEnd")) {
            for (JsonNode update : event.path("Task Info").path("Accumulables")) {
              updates.merge(update.path("ID").asLong(), update.path("Update").asLong(), Long::sum);
            }
          }
        }
      }
    }
    return new ScanMetrics(sum(updates, rows), sum(updates, files));
  }

  /** Collects the metrics of the plan's file scans, which Spark names "Scan <format> ...". */
  private static void scans(JsonNode plan, Set<Long> rows, Set<Long> files) {
    if (plan.path("nodeName").asText().startsWith("Scan ")) {
      for (JsonNode metric : plan.path("metrics")) {
        switch (metric.path("name").asText()) {
          case "number of output rows" -> rows.add(metric.path("accumulatorId").asLong());
          case "number of files read" -> files.add(metric.path("accumulatorId").asLong());
          default -> {}
        }
      }
    }
    for (JsonNode child : plan.path("children")) {
      scans(child, rows, files);
    }
  }

  private static long sum(Map<Long, Long> updates, Set<Long> ids) {
    return ids.stream().mapToLong(id -> updates.getOrDefault(id, 0L)).sum();
  }
}
