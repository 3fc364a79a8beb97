package dev.medallion.common;

import dev.medallion.common.error.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a layer at a time: each layer owns its tables and checkpoint, and two writers
 * would race on both. Airflow's {@code max_active_runs=1} does not stop an operator starting a
 * run by hand, so every run takes this lock first. It is an operating-system file lock under
 * {@code <root>/_locks/}, released when the process ends, even by {@code kill -9}. Object stores
 * have no such lock: for {@code s3a://} roots the lock is not taken (see the README on one writer
 * per table).
 */
public final class LayerLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LayerLock.class);

  private final FileChannel channel;
  private final FileLock lock;

  private LayerLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the layer's lock, or fails at once if another run holds it. */
  public static LayerLock acquire(TableLocations tables, String layer) {
    if (tables.root().contains("://") && !tables.root().startsWith("file:")) {
      LOG.info("{}: no run lock on {} (object stores have none); run one {} job at a time", layer, tables.root(), layer);
      return new LayerLock(null, null);
    }
    Path file = Path.of(tables.root().replaceFirst("^file:(//)?", ""), "_locks", layer + ".lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw held(layer, file);
      }
      return new LayerLock(channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw held(layer, file);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("Cannot take the " + layer + " run lock " + file, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static RuntimeException held(String layer, Path file) {
    return Errors.jobFailed(
        "Cannot start " + layer + ": another " + layer + " run is in progress (it holds " + file
            + "); one run per layer at a time, so wait for it to finish and run again",
        null);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("Cannot close lock file", e);
      }
    }
  }

  @Override
  public void close() {
    if (channel == null) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the run lock", e);
    }
  }
}
