package dev.medallion.testkit.chaos;

import io.delta.storage.HDFSLogStore;
import java.io.IOException;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Delta's log store for local tables, with {@link KillPoint}s around each commit file. */
public final class KillPointLogStore extends HDFSLogStore {
  public KillPointLogStore(Configuration hadoopConf) {
    super(hadoopConf);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    KillPoint.reach(KillPoint.Phase.BEFORE, path);
    super.write(path, actions, overwrite, hadoopConf);
    KillPoint.reach(KillPoint.Phase.AFTER, path);
  }
}
