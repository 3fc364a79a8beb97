package dev.medallion.bronze;

import dev.medallion.common.error.Errors;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/** Where each partition bronze subscribes to begins or ends now, asked of the broker. */
final class KafkaEnds {
  private KafkaEnds() {}

  /**
   * Every subscribed partition and its end offset (the next offset to be written), in topic and
   * partition order.
   *
   * @param purpose why the broker is asked, for the error message ("to recover ...")
   */
  static Map<TopicPartition, Long> of(Map<String, String> sourceOptions, String purpose) {
    return of(sourceOptions, purpose, OffsetSpec.latest());
  }

  /** Every subscribed partition and its offset of {@code spec} (earliest or latest). */
  static Map<TopicPartition, Long> of(
      Map<String, String> sourceOptions, String purpose, OffsetSpec spec) {
    Properties admin = new Properties();
    sourceOptions.forEach(
        (key, value) -> {
          if (key.startsWith("kafka.")) {
            admin.put(key.substring("kafka.".length()), value);
          }
        });
    // An unreachable broker fails the call in seconds, not after the client's default minute.
    admin.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    admin.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (Admin client = Admin.create(admin)) {
      Collection<String> topics;
      if (sourceOptions.containsKey("subscribePattern")) {
        Pattern pattern = Pattern.compile(sourceOptions.get("subscribePattern"));
        topics =
            client.listTopics().names().get().stream()
                .filter(t -> pattern.matcher(t).matches())
                .toList();
      } else {
        topics = List.of(sourceOptions.get("subscribe").split(","));
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicDescription topic : client.describeTopics(topics).allTopicNames().get().values()) {
        topic
            .partitions()
            .forEach(p -> latest.put(new TopicPartition(topic.name(), p.partition()), spec));
      }
      Map<TopicPartition, Long> ends =
          new TreeMap<>(
              Comparator.comparing(TopicPartition::topic)
                  .thenComparingInt(TopicPartition::partition));
      client
          .listOffsets(latest)
          .all()
          .get()
          .forEach((partition, info) -> ends.put(partition, info.offset()));
      return ends;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Errors.jobFailed("Interrupted while listing the Kafka partitions " + purpose, e);
    } catch (ExecutionException e) {
      throw Errors.jobFailed(
          "Cannot list the Kafka partitions "
              + purpose
              + ": "
              + Errors.firstLine(e.getCause().getMessage()),
          e);
    }
  }
}
