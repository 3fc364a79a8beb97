package dev.medallion.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.medallion.common.table.TableLocations;
import dev.medallion.testkit.testing.TestSpark;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Maintenance on a laptop does work in proportion to the table: VACUUM lists a table's directories
 * in as many tasks as Spark's listing parallelism says, 10,000 by default, each generating code (a
 * maintained table of a few files took 40 s).
 */
class MaintenanceTasksTest {
  @Test
  void maintainingASmallTableRunsFewTasks() throws Exception {
    SparkSession spark = TestSpark.session(TestSpark.config(Map.of()));
    try {
      TableLocations lakehouse =
          new TableLocations(Files.createTempDirectory("maintenance-tasks").toString());
      String bronze = lakehouse.bronzeEvents();
      for (int day = 1; day <= 3; day++) {
        spark
            .sql("SELECT id, DATE'2026-01-0" + day + "' AS ingest_date FROM range(10)")
            .write()
            .format("delta")
            .mode("append")
            .partitionBy("ingest_date")
            .save(bronze);
      }
      AtomicInteger tasks = new AtomicInteger();
      SparkListener counter =
          new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
              tasks.incrementAndGet();
            }
          };
      spark.sparkContext().addSparkListener(counter);

      Maintenance.run(spark, TableCatalog.bundled(), lakehouse, "bronze.events", 0, true);

      spark.sparkContext().listenerBus().waitUntilEmpty();
      spark.sparkContext().removeSparkListener(counter);
      assertThat(tasks.get()).as("Spark tasks of OPTIMIZE and VACUUM").isLessThan(200);
    } finally {
      spark.stop();
    }
  }
}
