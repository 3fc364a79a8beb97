package dev.medallion.common.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TableWritesTest {
  @Test
  void writesRunAtTheSameTime() {
    // Each write waits for all others to start: it only finishes if they run concurrently.
    CountDownLatch started = new CountDownLatch(3);
    Set<String> done = ConcurrentHashMap.newKeySet();

    TableWrites.forEach(
        List.of("a", "b", "c"),
        table -> {
          started.countDown();
          try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          done.add(table);
        });

    assertThat(done).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void aFailedWriteFailsTheBatchAfterTheOthersFinished() {
    Set<String> done = ConcurrentHashMap.newKeySet();

    assertThatThrownBy(
            () ->
                TableWrites.forEach(
                    List.of("ok-1", "broken", "ok-2"),
                    table -> {
                      if (table.equals("broken")) {
                        throw new IllegalArgumentException("cannot write " + table);
                      }
                      done.add(table);
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot write broken");
    assertThat(done).containsExactlyInAnyOrder("ok-1", "ok-2");
  }
}
