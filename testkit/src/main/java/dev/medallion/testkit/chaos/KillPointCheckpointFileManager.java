package dev.medallion.testkit.chaos;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.checkpointing.CheckpointFileManager.CancellableFSDataOutputStream;
import org.apache.spark.sql.execution.streaming.checkpointing.FileContextBasedCheckpointFileManager;

/**
 * Spark's checkpoint file manager for local checkpoints, with {@link KillPoint}s around each file
 * (offsets, commits, metadata): before it is opened and after it is in place.
 */
public final class KillPointCheckpointFileManager extends FileContextBasedCheckpointFileManager {
  public KillPointCheckpointFileManager(Path path, Configuration hadoopConf) {
    super(path, hadoopConf);
  }

  @Override
  public CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
    KillPoint.reach(KillPoint.Phase.BEFORE, path);
    CancellableFSDataOutputStream target = super.createAtomic(path, overwriteIfPossible);
    return new CancellableFSDataOutputStream(target) {
      @Override
      public void cancel() {
        target.cancel();
      }

      @Override
      public void close() throws IOException {
        super.close();
        KillPoint.reach(KillPoint.Phase.AFTER, path);
      }
    };
  }
}
