package dev.medallion.common.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}) without the processes it starts: without Hadoop's
 * native library it runs {@code chmod} for every file and directory it creates and {@code readlink}
 * for both sides of every rename (eight processes per Delta commit, a few milliseconds each; 5,170
 * in one gold test class). Permissions and links are read and set through java.nio instead, with
 * the same results. The sessions of {@code SparkSessions} use it for {@code file:} paths.
 */
public final class ProcessFreeLocalFileSystem extends LocalFileSystem {
  public ProcessFreeLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-free) file system under it, which {@link ProcessFreeLocalFs} shares. */
  static final class Raw extends RawLocalFileSystem {
    private static final PosixFilePermission[] BITS = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };

    /** A sticky bit, which java.nio cannot set, and a non-POSIX disk go to Hadoop's way. */
    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
      if (permission.getStickyBit()) {
        super.setPermission(path, permission);
        return;
      }
      Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
      for (int bit = 0; bit < BITS.length; bit++) {
        if ((permission.toShort() & (1 << bit)) != 0) {
          set.add(BITS[bit]);
        }
      }
      try {
        Files.setPosixFilePermissions(pathToFile(path).toPath(), set);
      } catch (UnsupportedOperationException e) {
        super.setPermission(path, permission);
      }
    }

    /**
     * A path that is not a symbolic link has the status of its file, which is what Hadoop returns
     * once {@code readlink} found no link; links keep Hadoop's answer.
     */
    @Override
    public FileStatus getFileLinkStatus(Path path) throws IOException {
      return Files.isSymbolicLink(pathToFile(path).toPath())
          ? super.getFileLinkStatus(path)
          : getFileStatus(path);
    }
  }
}
