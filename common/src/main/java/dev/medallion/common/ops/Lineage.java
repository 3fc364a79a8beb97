package dev.medallion.common.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.ledger.RunFacts;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenLineage run events (START, then COMPLETE or FAIL) for every run the ledger records, naming
 * the Kafka topics and Delta tables it read and wrote with their versions, POSTed to {@code
 * lineage.url} (Marquez, DataHub, OpenMetadata, ... all accept them). Built from the ledger's own
 * facts rather than by a Spark listener, so they say what the run committed, not what Spark
 * planned. Like alerts, lineage never fails or holds up a run beyond its retries.
 */
public final class Lineage {
  static final String SCHEMA_URL =
      "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
  static final String PRODUCER = "urn:medallion";
  private static final String VERSION_FACET =
      "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json"
          + "#/$defs/DatasetVersionDatasetFacet";
  private static final String ERROR_FACET =
      "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json"
          + "#/$defs/ErrorMessageRunFacet";
  private static final Pattern S3 = Pattern.compile("s3[an]?://([^/]+)/?(.*)");
  private static final Logger LOG = LoggerFactory.getLogger(Lineage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The event types a run sends. */
  public enum EventType {
    START,
    COMPLETE,
    FAIL
  }

  private final String url;
  private final String token;
  private final String namespace;
  private final String root;
  private final List<String> brokers;

  private Lineage(String url, String token, String namespace, String root, List<String> brokers) {
    this.url = url;
    this.token = token;
    this.namespace = namespace;
    this.root = root;
    this.brokers = List.copyOf(brokers);
  }

  /** Lineage as {@code config} sets it: nothing is sent while {@code lineage.url} is empty. */
  public static Lineage from(MedallionConfig config) {
    return new Lineage(
        config.get(Settings.LINEAGE_URL),
        config.get(Settings.LINEAGE_API_TOKEN),
        config.get(Settings.LINEAGE_NAMESPACE),
        config.lakehouseRoot(),
        config.get(Settings.KAFKA_BOOTSTRAP_SERVERS));
  }

  /** Sends one run event; never throws. */
  public void send(EventType type, String layer, String runId, RunFacts facts, String error) {
    if (url.isEmpty()) {
      return;
    }
    String failure =
        JsonPost.deliver(
            url,
            event(type, layer, runId, facts, error),
            token.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + token));
    if (failure != null) {
      LOG.warn(
          "lineage {} event of run {} not delivered to lineage.url after {} attempts: {}",
          type,
          runId,
          JsonPost.ATTEMPTS,
          failure);
    }
  }

  /** The OpenLineage RunEvent, as JSON. */
  String event(EventType type, String layer, String runId, RunFacts facts, String error) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("eventType", type.name());
    event.put("eventTime", Instant.now().toString());
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("runId", runId);
    if (error != null) {
      run.put(
          "facets",
          Map.of(
              "errorMessage",
              facet(ERROR_FACET, Map.of("message", error, "programmingLanguage", "JAVA"))));
    }
    event.put("run", run);
    event.put("job", Map.of("namespace", namespace, "name", layer));
    event.put("inputs", inputs(facts));
    event.put("outputs", tables(facts.versionsWritten()));
    event.put("producer", PRODUCER);
    event.put("schemaURL", SCHEMA_URL);
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a lineage event as JSON", e);
    }
  }

  private List<Map<String, Object>> inputs(RunFacts facts) {
    List<Map<String, Object>> inputs = new ArrayList<>();
    Set<String> topics = new LinkedHashSet<>();
    facts.kafkaOffsets().forEach(range -> topics.add(range.topic()));
    String kafka = "kafka://" + (brokers.isEmpty() ? "unknown" : brokers.get(0));
    topics.forEach(topic -> inputs.add(Map.of("namespace", kafka, "name", topic)));
    Map<String, Long> read = new LinkedHashMap<>();
    facts.sourceVersions().forEach(range -> read.put(range.table(), range.toVersion()));
    inputs.addAll(tables(read));
    return inputs;
  }

  /** Delta tables by SQL name, with the version read or written. */
  private List<Map<String, Object>> tables(Map<String, Long> versions) {
    List<Map<String, Object>> datasets = new ArrayList<>();
    versions.forEach(
        (table, version) -> {
          Map<String, Object> dataset = new LinkedHashMap<>(location(table));
          dataset.put(
              "facets",
              Map.of(
                  "version",
                  facet(VERSION_FACET, Map.of("datasetVersion", String.valueOf(version)))));
          datasets.add(dataset);
        });
    return datasets;
  }

  /**
   * OpenLineage's naming of a table's location: {@code s3://bucket} and the key prefix on S3,
   * {@code file} and the absolute path on a local disk.
   */
  Map<String, Object> location(String sqlName) {
    String path = root.replaceAll("/+$", "") + "/" + sqlName.replace('.', '/');
    Matcher s3 = S3.matcher(path);
    if (s3.matches()) {
      return Map.of("namespace", "s3://" + s3.group(1), "name", s3.group(2));
    }
    String local = path.startsWith("file:") ? path.replaceFirst("^file:(//)?", "") : path;
    return Map.of(
        "namespace", "file", "name", Path.of(local).toAbsolutePath().normalize().toString());
  }

  private static Map<String, Object> facet(String schemaUrl, Map<String, Object> fields) {
    Map<String, Object> facet = new LinkedHashMap<>();
    facet.put("_producer", PRODUCER);
    facet.put("_schemaURL", schemaUrl);
    facet.putAll(fields);
    return facet;
  }
}
