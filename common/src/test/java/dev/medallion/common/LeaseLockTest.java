package dev.medallion.common;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.medallion.common.error.MedallionException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease on a store that cannot write conditionally: one line that says so. */
class LeaseLockTest {
  @Test
  void aStoreWithoutConditionalWritesIsNamedNotBlamedOnCredentials(@TempDir Path dir)
      throws Exception {
    FileSystem local = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path lock =
        new org.apache.hadoop.fs.Path(dir.toUri().toString(), "gold.lock");

    assertThatThrownBy(() -> LeaseLock.acquire(local, lock, "gold", Duration.ofSeconds(5)))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith(
            "Cannot take the gold run lock "
                + lock
                + ": this store does not support conditional writes")
        .hasMessageNotContaining("credentials");
  }
}
