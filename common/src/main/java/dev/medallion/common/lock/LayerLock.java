package dev.medallion.common.lock;

import dev.medallion.common.table.TableLocations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One writer per table: a run of a layer, and maintenance of one of its tables, first take the
 * layer's lock ({@link TableLocations#lock}), and a second run fails at once. Each layer owns its
 * tables and checkpoint, and two writers would race on both; on S3, Delta's commits are only safe
 * from one writer at a time. Airflow's {@code max_active_runs=1} does not stop an operator starting
 * a run by hand, hence a lock in the jobs themselves. On a local or mounted file system it is an
 * operating-system file lock, released when the process ends, even by {@code kill -9}; on an object
 * store a lease renewed while the run lives ({@link LeaseLock}).
 */
public abstract sealed class LayerLock implements AutoCloseable permits FileLayerLock, LeaseLock {
  /** The locks this process holds: every Delta commit it makes checks them first. */
  private static final Set<LayerLock> HELD = ConcurrentHashMap.newKeySet();

  /**
   * Takes {@code layer}'s lock, or fails at once if another run holds it.
   *
   * @param hadoopConf reaches the object store (a SparkSession's {@code newHadoopConf()})
   * @param lease how long an object-store lock outlives a run that died without releasing it
   */
  public static LayerLock acquire(
      TableLocations tables, String layer, Configuration hadoopConf, Duration lease) {
    String lock = tables.lock(layer);
    if (lock.contains("://") && !lock.startsWith("file:")) {
      Path path = new Path(lock);
      try {
        return held(LeaseLock.acquire(path.getFileSystem(hadoopConf), path, layer, lease));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot reach the run lock " + path, e);
      }
    }
    return held(
        FileLayerLock.acquire(java.nio.file.Path.of(lock.replaceFirst("^file:(//)?", "")), layer));
  }

  /**
   * Fails unless every lock this process holds is still its own, with time to spare: called before
   * each Delta commit ({@code FencedS3LogStore}), so a run that lost its lease (renewals failed,
   * another run took over) stops before it writes instead of racing the new holder.
   */
  public static void checkHeldLocks() {
    HELD.forEach(LayerLock::checkHeld);
  }

  private static LayerLock held(LayerLock lock) {
    HELD.add(lock);
    return lock;
  }

  /** Fails if this lock may no longer be this run's by the time a commit lands. */
  abstract void checkHeld();

  /** Releases the lock. */
  @Override
  public final void close() {
    try {
      release();
    } finally {
      HELD.remove(this);
    }
  }

  abstract void release();
}
