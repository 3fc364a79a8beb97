package dev.medallion.common.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs the writes of one batch to different tables at the same time. A small write spends most of
 * its time on the driver (planning, code generation, reading the table's log, committing), so on a
 * few cores one table's driver work overlaps another's tasks. Different tables never conflict in
 * Delta; each write stays one commit.
 */
public final class TableWrites {
  private TableWrites() {}

  /**
   * Calls {@code write} for every item, concurrently, and returns when all are done. The first
   * failure is rethrown (after the others finished), so a batch fails as a whole.
   */
  public static <T> void forEach(List<T> items, Consumer<T> write) {
    if (items.size() <= 1) {
      items.forEach(write);
      return;
    }
    // Threads created here inherit the caller's Spark local properties (query id, job group).
    ExecutorService pool = Executors.newFixedThreadPool(items.size());
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (T item : items) {
        writes.add(pool.submit(() -> write.accept(item)));
      }
      RuntimeException failure = null;
      for (Future<?> pending : writes) {
        try {
          pending.get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException runtime
                    ? runtime
                    : new IllegalStateException(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while writing tables", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
