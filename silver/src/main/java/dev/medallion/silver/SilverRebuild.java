package dev.medallion.silver;

import dev.medallion.common.error.Errors;
import dev.medallion.common.table.TableLocations;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code silver --full-refresh} as build then swap. Silver and the quarantine are rebuilt from
 * bronze under {@code _staging/silver} while the live tables stay as they were and readable; then
 * each live table is overwritten with its rebuilt copy in one commit (the same Delta table, so
 * gold's reading of silver's change feed goes on) and the rebuilt checkpoint replaces the live one.
 *
 * <p>Two markers make every step safe to repeat: {@value #STARTED} from the first step to the last
 * (silver, and anything else that writes it, refuses to run while it is there: its checkpoint may
 * not match its tables), and {@value #BUILT} once the copies are complete, so that running the
 * refresh again after a crash in the swap finishes the swap instead of building again.
 */
final class SilverRebuild {
  static final String STARTED = "_STARTED";
  static final String BUILT = "_BUILT";

  private final SparkSession spark;
  private final TableLocations tables;
  private final FileSystem fs;
  private final Path staging;

  private SilverRebuild(SparkSession spark, TableLocations tables) {
    this.spark = spark;
    this.tables = tables;
    this.staging = new Path(tables.staging(SilverJob.LAYER));
    this.fs = fileSystem(spark, staging);
  }

  /** Refuses {@code action} while a full refresh of silver is unfinished. */
  static void refuseIfInterrupted(SparkSession spark, TableLocations tables, String action) {
    SilverRebuild rebuild = new SilverRebuild(spark, tables);
    if (rebuild.exists(STARTED)) {
      throw Errors.jobFailed(
          "Cannot "
              + action
              + ": a full refresh of silver was interrupted ("
              + rebuild.marker(STARTED)
              + " is there) and silver's checkpoint may not match its tables; run bin/medallion"
              + " silver --full-refresh again to finish it",
          null);
    }
  }

  /**
   * Begins a full refresh, or picks up one that was interrupted after its copies were built:
   * anything else under the staging directory is a partial build and is deleted.
   */
  static SilverRebuild begin(SparkSession spark, TableLocations tables) {
    SilverRebuild rebuild = new SilverRebuild(spark, tables);
    if (!rebuild.isBuilt()) {
      rebuild.delete(rebuild.staging);
      rebuild.touch(STARTED);
    }
    return rebuild;
  }

  SilverTargets staged() {
    return SilverTargets.staged(tables);
  }

  /** Whether the copies are complete (and only the swap may be left). */
  boolean isBuilt() {
    return exists(STARTED) && exists(BUILT);
  }

  void markBuilt() {
    touch(BUILT);
  }

  /**
   * Overwrites each live table with its rebuilt copy and puts the rebuilt checkpoint in place of
   * the live one, then removes the staging directory. Every step may be repeated.
   */
  void swap() {
    SilverTargets staged = staged();
    SilverTargets live = SilverTargets.live(tables);
    overwrite(staged.events(), live.events());
    overwrite(staged.quarantine(), live.quarantine());
    Path checkpoint = new Path(live.checkpoint());
    delete(checkpoint);
    try {
      // A copy, not a rename: on S3 a rename is a copy too, and a crash in it must leave the
      // rebuilt checkpoint whole for the next attempt.
      if (!FileUtil.copy(fs, new Path(staged.checkpoint()), fs, checkpoint, false, fs.getConf())) {
        throw new IOException("copy returned false");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot copy the rebuilt checkpoint " + staged.checkpoint() + " to " + checkpoint, e);
    }
    delete(marker(STARTED)); // from here on silver may run
    delete(staging);
  }

  private void overwrite(String staged, String live) {
    spark.read().format("delta").load(staged).write().format("delta").mode("overwrite").save(live);
  }

  private Path marker(String name) {
    return new Path(staging, name);
  }

  private boolean exists(String name) {
    try {
      return fs.exists(marker(name));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + marker(name), e);
    }
  }

  private void touch(String name) {
    try {
      fs.create(marker(name), true).close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + marker(name), e);
    }
  }

  private void delete(Path path) {
    try {
      fs.delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path, e);
    }
  }

  private static FileSystem fileSystem(SparkSession spark, Path path) {
    try {
      return path.getFileSystem(spark.sessionState().newHadoopConf());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot reach " + path, e);
    }
  }
}
