package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.table.TableLocations;
import dev.medallion.gold.GoldAssertions;
import dev.medallion.sample.events.GeneratedRecord;
import dev.medallion.sample.events.GroundTruth;
import dev.medallion.silver.Reconciliation;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The promise after any fault and its reruns, checked against the generator's ground truth: bronze
 * holds each Kafka offset once, silver each valid event once, the quarantine each invalid record
 * once, gold equals an independent aggregation, and reconciliation balances.
 */
final class PipelineInvariants {
  private PipelineInvariants() {}

  static void assertExact(
      SparkSession spark, MedallionConfig config, List<GeneratedRecord> produced, String after) {
    TableLocations tables = config.tables();
    GroundTruth truth = GroundTruth.of(produced);
    Row bronze = countsAndCoordinates(spark, tables.bronzeEvents());
    assertThat(bronze.getLong(0)).as("%s: bronze rows", after).isEqualTo(produced.size());
    assertThat(bronze.getLong(1)).as("%s: bronze offsets", after).isEqualTo(produced.size());

    List<String> silverIds =
        spark
            .read()
            .format("delta")
            .load(tables.silverEvents())
            .select("event_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertThat(silverIds)
        .as("%s: silver holds each valid event once", after)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(truth.events().keySet());

    Row quarantine = countsAndCoordinates(spark, tables.silverQuarantine());
    assertThat(quarantine.getLong(0))
        .as("%s: quarantined records", after)
        .isEqualTo(truth.invalidRecords());
    assertThat(quarantine.getLong(1))
        .as("%s: quarantined offsets", after)
        .isEqualTo(truth.invalidRecords());

    GoldAssertions.assertGoldEquals(spark, tables, truth);
    Reconciliation.Result reconciled = Reconciliation.run(spark, config);
    assertThat(reconciled.balanced()).as("%s: %s", after, reconciled.line()).isTrue();
  }

  private static Row countsAndCoordinates(SparkSession spark, String table) {
    return spark
        .read()
        .format("delta")
        .load(table)
        .selectExpr("count(*)", "count(DISTINCT topic, partition, offset)")
        .head();
  }
}
