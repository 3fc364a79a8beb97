package dev.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.delta.DeltaTables;
import dev.medallion.common.error.MedallionException;
import dev.medallion.common.ledger.RunSummary;
import dev.medallion.sample.events.EventGenerator;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GeneratorSpec;
import dev.medallion.testkit.testing.PipelineIT;
import dev.medallion.testkit.testing.Produced;
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
    assertThat(bronzeValues(topic))
        .containsOnlyKeys(produced.keySet())
        .allSatisfy((coordinates, value) -> assertThat(value).isEqualTo(produced.get(coordinates)));

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
    Map<String, byte[]> produced =
        produce(topic, EventGenerator.generate(GeneratorSpec.clean(12, 2_000)));

    BronzeJob.run(spark, config(topic, Map.of("kafka.max.offsets.per.trigger", "400")));

    // Version 0 creates the table; each micro-batch is one more commit.
    assertThat(DeltaTables.version(spark, tables().bronzeEvents())).isGreaterThanOrEqualTo(5);
    assertThat(bronzeValues(topic)).containsOnlyKeys(produced.keySet());
    assertThat(bronzeCount()).isEqualTo(produced.size());
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
      admin
          .deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(150)))
          .all()
          .get();
    }

    assertThatThrownBy(() -> BronzeJob.run(spark, config(topic, Map.of())))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Kafka records were lost before bronze read them")
        .hasMessageContaining("--set kafka.fail.on.data.loss=false");
    assertThat(bronzeCount()).isEqualTo(100);

    BronzeJob.run(spark, config(topic, Map.of("kafka.fail.on.data.loss", "false")));

    assertThat(bronzeCount()).isEqualTo(150);
  }

  /**
   * A lost checkpoint, a recreated topic and a deleted table are refused with what to do; the
   * documented recovery then leaves every record in bronze exactly once.
   */
  @Test
  void lostStateIsRefusedAndItsRecoveryLosesAndRepeatsNothing() throws Exception {
    String topic = "lost-state";
    kafka.createTopic(topic, 2);
    GeneratorSpec spec = GeneratorSpec.realistic(12, 1_000);
    Map<String, byte[]> all = new HashMap<>(produce(topic, EventGenerator.generate(spec)));
    MedallionConfig config = config(topic, Map.of());
    BronzeJob.run(spark, config);
    String checkpoint = tables().checkpoint(BronzeJob.LAYER, BronzeJob.TABLE);

    DeltaTables.deleteLocation(spark, checkpoint);
    all.putAll(produce(topic, EventGenerator.generate(spec.next(300))));
    assertThatThrownBy(() -> BronzeJob.run(spark, config))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Cannot run bronze: "
                + tables().bronzeEvents()
                + " holds records but its checkpoint "
                + checkpoint
                + " is missing")
        .hasMessageContaining("bin/medallion bronze --recover-checkpoint");
    BronzeJob.run(spark, config, true);
    assertThat(bronzeValues(topic)).containsOnlyKeys(all.keySet());
    assertThatThrownBy(() -> BronzeJob.run(spark, config, true))
        .hasMessageStartingWith("Cannot recover bronze's checkpoint: " + checkpoint + " is there");

    kafka.deleteTopic(topic);
    createAgain(topic, 2);
    long recreated =
        produce(topic, EventGenerator.generate(GeneratorSpec.realistic(13, 200))).size();
    assertThatThrownBy(() -> BronzeJob.run(spark, config))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("A Kafka topic bronze reads was deleted or recreated");
    assertThat(bronzeCount()).isEqualTo(all.size());
    DeltaTables.deleteLocation(spark, checkpoint); // the runbook: move the checkpoint aside
    BronzeJob.run(spark, config, true);
    assertThat(bronzeCount()).isEqualTo(all.size() + recreated);
    assertThat(BronzeJob.run(spark, config).recordsIn()).isZero();

    DeltaTables.deleteLocation(spark, tables().bronzeEvents());
    assertThatThrownBy(() -> BronzeJob.run(spark, config))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Cannot run bronze: its checkpoint "
                + checkpoint
                + " is there but the table "
                + tables().bronzeEvents()
                + " is not");
  }

  /** Creates a topic whose deletion the broker may still be finishing. */
  private static void createAgain(String topic, int partitions) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        kafka.createTopic(topic, partitions);
        return;
      } catch (IllegalStateException e) {
        assertThat(System.nanoTime())
            .as("topic %s created again within 30 s: %s", topic, e.getMessage())
            .isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  /** Produces the records and returns their bytes by "topic/partition/offset". */
  private static Map<String, byte[]> produce(String topic, List<GeneratedRecord> records) {
    Map<String, byte[]> values = new HashMap<>();
    Produced.produce(kafka.bootstrapServers(), topic, records)
        .forEach((coordinates, record) -> values.put(coordinates, record.value()));
    return values;
  }

  private Map<String, byte[]> bronzeValues(String topic) {
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(tables().bronzeEvents())
            .select("topic", "partition", "offset", "value")
            .collectAsList();
    Map<String, byte[]> values = new HashMap<>();
    for (Row row : rows) {
      assertThat(row.getString(0)).isEqualTo(topic);
      byte[] previous =
          values.put(
              Produced.coordinates(topic, row.getInt(1), row.getLong(2)), (byte[]) row.get(3));
      assertThat(previous)
          .as("duplicate bronze row at %s/%s", row.getInt(1), row.getLong(2))
          .isNull();
    }
    return values;
  }

  private long bronzeCount() {
    return spark.read().format("delta").load(tables().bronzeEvents()).count();
  }
}
