package dev.medallion.common.lock;

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

/** The run lock on a local or mounted file system: an operating-system lock on the lock file. */
final class FileLayerLock extends LayerLock {
  private static final Logger LOG = LoggerFactory.getLogger(FileLayerLock.class);

  private final FileChannel channel;
  private final FileLock lock;

  private FileLayerLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock on {@code file}, or fails at once if another run holds it. */
  static FileLayerLock acquire(Path file, String layer) {
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw held(layer, file);
      }
      return new FileLayerLock(channel, lock);
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
        "Cannot start "
            + layer
            + ": another "
            + layer
            + " run is in progress (it holds "
            + file
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

  /** An operating-system lock stays this process's until it ends: nothing can take it over. */
  @Override
  void checkHeld() {}

  @Override
  void release() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the run lock", e);
    }
  }
}
