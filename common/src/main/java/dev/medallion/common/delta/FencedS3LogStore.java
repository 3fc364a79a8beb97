package dev.medallion.common.delta;

import dev.medallion.common.lock.LayerLock;
import io.delta.storage.S3SingleDriverLogStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Options.CreateFileOptionKeys;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;

/**
 * Delta's log store for {@code s3a://}, made safe for more than one driver. A commit file is
 * created with S3's conditional write (If-None-Match), so of two drivers committing the same
 * version one gets "already exists" and Delta retries it at the next version after checking for
 * conflicts, instead of one overwriting the other (which the single-driver store allows): the
 * layer's lease keeps out another run of the layer, not an operator's own tool. And before a commit
 * the run checks that it still holds its layer's lease ({@link LayerLock#checkHeldLocks()}): a run
 * that lost it (its renewals failed and another run took over) fails here instead of committing.
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
    if (overwrite) {
      super.write(path, actions, true, hadoopConf);
      return;
    }
    var builder = path.getFileSystem(hadoopConf).createFile(path);
    builder
        .overwrite(false)
        .must(CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE, true);
    try (FSDataOutputStream out = builder.build()) {
      while (actions.hasNext()) {
        out.write((actions.next() + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (FileAlreadyExistsException | RemoteFileChangedException e) {
      // What Delta takes for "another writer committed this version first".
      throw new java.nio.file.FileAlreadyExistsException(path.toString());
    }
  }
}
