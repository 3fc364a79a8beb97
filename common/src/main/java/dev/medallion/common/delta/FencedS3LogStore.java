package dev.medallion.common.delta;

import dev.medallion.common.LayerLock;
import io.delta.storage.S3SingleDriverLogStore;
import java.io.IOException;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Delta's log store for {@code s3a://} with a fence: before a commit file is written, the run
 * checks that it still holds its layer's lease ({@link LayerLock#checkHeldLocks()}). On S3 two
 * drivers committing one Delta version overwrite each other; a run that lost its lease (its
 * renewals failed and another run took over) therefore fails here instead of committing.
 */
public final class FencedS3LogStore extends S3SingleDriverLogStore {
  public FencedS3LogStore(Configuration hadoopConf) {
    super(hadoopConf);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    LayerLock.checkHeldLocks();
    super.write(path, actions, overwrite, hadoopConf);
  }
}
