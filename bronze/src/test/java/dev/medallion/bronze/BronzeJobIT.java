package dev.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.RunSummary;
import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.events.EventGenerator;
import dev.medallion.common.events.GeneratedRecord;
import dev.medallion.common.events.GeneratorSpec;
import dev.medallion.common.testing.ChildJvm;
import dev.medallion.common.testing.PipelineIT;
import dev.medallion.common.testing.Produced;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Bronze against a real KRaft broker and real Delta tables on disk. */
class BronzeJobIT extends PipelineIT {

  @Test
  void everyRecordLandsExactlyOnceWithItsBytesAndRerunsAddOnlyWhatIsNew() {
    String topic = "exactly-once";
    kafka.createTopic(topic, 3);
    GeneratorSpec spec = GeneratorSpec.realistic(11, 3_000);
    Map<String, byte[]> produced = produce(topic, EventGenerator.generate(spec));
    MedallionConfig config = config(topic, Map.of());

    RunSummary first = BronzeJob.run(spark, config);

    assertThat(first.recordsIn()).isEqualTo(produced.size());
    assertThat(first.recordsOut()).isEqualTo(produced.size());
    assertThat(bronzeValues(topic)).containsOnlyKeys(produced.keySet()).allSatisfy((coordinates, value) -> assertThat(value).isEqualTo(produced.get(coordinates)));

    long version = DeltaTables.version(spark, tables().bronzeEvents());
    RunSummary idle = BronzeJob.run(spark, config);

    assertThat(idle.recordsIn()).isZero();
    assertThat(idle.recordsOut()).isZero();
    assertThat(DeltaTables.version(spark, tables().bronzeEvents())).isEqualTo(version);

    Map<String, byte[]> more = produce(topic, EventGenerator.generate(spec.next(500)));
    RunSummary next = BronzeJob.run(spark, config);

    assertThat(next.recordsOut()).isEqualTo(more.size());
    Map<String, byte[]> all = new HashMap<>(produced);
    all.putAll(more);
    assertThat(bronzeValues(topic)).containsOnlyKeys(all.keySet());
    assertThat(bronzeCount()).isEqualTo(all.size());
  }

  @Test
  void smallMaxOffsetsPerTriggerGivesSeveralMicroBatchesAndTheSameRows() {
    String topic = "small-batches";
    kafka.createTopic(topic, 3);
    Map<String, byte[]> produced = produce(topic, EventGenerator.generate(GeneratorSpec.clean(12, 2_000)));

    BronzeJob.run(spark, config(topic, Map.of("kafka.max.offsets.per.trigger", "400")));

    // Version 0 creates the table; each micro-batch is one more commit.
    assertThat(DeltaTables.version(spark, tables().bronzeEvents())).isGreaterThanOrEqualTo(5);
    assertThat(bronzeValues(topic)).containsOnlyKeys(produced.keySet());
    assertThat(bronzeCount()).isEqualTo(produced.size());
  }

  @Test
  void aKilledRunRerunNeitherLosesNorRepeatsARecord() throws Exception {
    String topic = "killed";
    kafka.createTopic(topic, 3);
    Map<String, byte[]> produced = produce(topic, EventGenerator.generate(GeneratorSpec.clean(13, 20_000)));
    Map<String, String> settings = Map.of("kafka.max.offsets.per.trigger", "500");

    ChildJvm.killAfterCommits(BronzeMain.class, config(topic, settings), lakehouse.resolve("bronze/events"), 4, Duration.ofSeconds(180));
    assertThat(bronzeCount()).isLessThan(produced.size());

    // The rerun first repeats the killed micro-batch with its logged offsets, then goes on in
    // larger batches.
    BronzeJob.run(spark, config(topic, Map.of()));

    assertThat(bronzeCount()).isEqualTo(produced.size());
    assertThat(bronzeValues(topic)).containsOnlyKeys(produced.keySet());
  }

  @Test
  void offsetsLostToRetentionStopTheRunUntilTheLossIsAccepted() throws Exception {
    String topic = "lossy";
    kafka.createTopic(topic, 1);
    GeneratorSpec spec = GeneratorSpec.clean(14, 100);
    produce(topic, EventGenerator.generate(spec));
    BronzeJob.run(spark, config(topic, Map.of()));
    produce(topic, EventGenerator.generate(spec.next(100)));
    try (Admin admin = kafka.admin()) {
      admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(150))).all().get();
    }

    assertThatThrownBy(() -> BronzeJob.run(spark, config(topic, Map.of())))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Kafka records were lost before bronze read them")
        .hasMessageContaining("--set kafka.fail.on.data.loss=false");
    assertThat(bronzeCount()).isEqualTo(100);

    BronzeJob.run(spark, config(topic, Map.of("kafka.fail.on.data.loss", "false")));

    assertThat(bronzeCount()).isEqualTo(150);
  }

  /** Produces the records and returns their bytes by "topic/partition/offset". */
  private static Map<String, byte[]> produce(String topic, List<GeneratedRecord> records) {
    Map<String, byte[]> values = new HashMap<>();
    Produced.produce(kafka.bootstrapServers(), topic, records).forEach((coordinates, record) -> values.put(coordinates, record.value()));
    return values;
  }

  private Map<String, byte[]> bronzeValues(String topic) {
    List<Row> rows =
        spark.read().format("delta").load(tables().bronzeEvents()).select("topic", "partition", "offset", "value").collectAsList();
    Map<String, byte[]> values = new HashMap<>();
    for (Row row : rows) {
      assertThat(row.getString(0)).isEqualTo(topic);
      byte[] previous = values.put(Produced.coordinates(topic, row.getInt(1), row.getLong(2)), (byte[]) row.get(3));
      assertThat(previous).as("duplicate bronze row at %s/%s", row.getInt(1), row.getLong(2)).isNull();
    }
    return values;
  }

  private long bronzeCount() {
    return spark.read().format("delta").load(tables().bronzeEvents()).count();
  }

}
