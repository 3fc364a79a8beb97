package dev.medallion.common.lock;

import dev.medallion.common.error.Errors;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.AWSServiceIOException;
import org.apache.hadoop.fs.s3a.AWSUnsupportedFeatureException;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.apache.hadoop.util.functional.FutureIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run lock on an object store: a lease object written with S3's conditional writes
 * (If-None-Match to take a free lock, If-Match on its ETag to renew, release or take over an
 * expired one), so that of two runs racing for it exactly one wins.
 *
 * <p>It fences: the holder renews every fifth of the lease and retries a failed renewal until the
 * lease is over; before each commit {@link #checkHeld()} refuses to go on once its last renewal is
 * older than three fifths of the lease (by this process's monotonic clock) or another run wrote the
 * lease. A waiting run takes over only when the lease object is older than the lease by the store's
 * own clock (its Last-Modified against a probe object written just then), so expiry never compares
 * two hosts' clocks. Release writes a released lease with If-Match, so a run that lost its lease
 * never removes the next holder's.
 */
final class LeaseLock extends LayerLock {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseLock.class);
  static final String CONDITIONAL_CREATE = "fs.option.create.conditional.overwrite";
  static final String CONDITIONAL_OVERWRITE_ETAG = "fs.option.create.conditional.overwrite.etag";
  private static final String HOLDER = "holder";
  private static final String WRITTEN = "written";
  private static final String LEASE_MILLIS = "lease_ms";
  private static final String SEQUENCE = "sequence";
  private static final String RELEASED = "released";

  private final FileSystem fs;
  private final Path path;
  private final String layer;
  private final Duration lease;
  private final String holder;
  private final ScheduledExecutorService renewer;
  private long sequence;
  private volatile String etag;
  private volatile long renewedAtNanos;
  private volatile boolean lost;

  private LeaseLock(
      FileSystem fs,
      Path path,
      String layer,
      Duration lease,
      String holder,
      String etag,
      long sentAtNanos) {
    this.fs = fs;
    this.path = path;
    this.layer = layer;
    this.lease = lease;
    this.holder = holder;
    this.etag = etag;
    this.renewedAtNanos = sentAtNanos;
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "medallion-" + layer + "-lock-renewer");
              thread.setDaemon(true);
              return thread;
            });
    long period = Math.max(1, lease.toMillis() / 5);
    renewer.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
  }

  /** Takes the lease at {@code path}, or fails at once if a live run holds it. */
  static LeaseLock acquire(FileSystem fs, Path path, String layer, Duration lease) {
    String holder = holderDescription();
    byte[] content = content(holder, lease, 0, false);
    try {
      long sent = System.nanoTime();
      try {
        write(fs, path, layer, content, null);
      } catch (RemoteFileChangedException | FileAlreadyExistsException taken) {
        Version current = Version.read(fs, path);
        if (!current.released()) {
          long age = serverNowMillis(fs, path) - current.modifiedMillis();
          if (age <= current.leaseMillis(lease)) {
            throw held(layer, path, current, current.leaseMillis(lease) - age);
          }
        }
        sent = System.nanoTime();
        try {
          write(fs, path, layer, content, current.etag());
        } catch (RemoteFileChangedException raced) {
          throw held(layer, path, Version.read(fs, path), lease.toMillis());
        }
        if (!current.released()) {
          LOG.warn("{}: took over the expired run lock {} of {}", layer, path, current.describe());
        }
      }
      return new LeaseLock(fs, path, layer, lease, holder, confirm(fs, path, holder, 0), sent);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot take the " + layer + " run lock " + path, e);
    }
  }

  private void renew() {
    long sent = System.nanoTime();
    if (sent - renewedAtNanos > lease.toNanos()) {
      // By this process's clock the lease is over: another run may hold it now, even if a
      // renewal would still go through.
      markLost("renewals failed for longer than the lease");
      return;
    }
    try {
      writeNextVersion(false);
      renewedAtNanos = sent;
    } catch (RemoteFileChangedException | LostLease e) {
      markLost("another run wrote it");
    } catch (IOException | RuntimeException e) {
      if (System.nanoTime() - renewedAtNanos > lease.toNanos()) {
        markLost("renewals failed for longer than the lease: " + Errors.firstLine(e.getMessage()));
      } else {
        LOG.warn(
            "{}: cannot renew the run lock {} ({}); retrying within the lease",
            layer,
            path,
            Errors.firstLine(e.getMessage()));
      }
    }
  }

  /**
   * Writes the next version of this run's lease over the one it last wrote. When the store refuses
   * (the lease is not at that version) but the lease still names this run, an earlier write of this
   * run landed without its reply reaching it (a request interrupted or timed out after the store
   * applied it, or retried by the client once it had): that version is this run's own, and is
   * written over once more.
   */
  private void writeNextVersion(boolean released) throws IOException {
    try {
      writeVersion(sequence + 1, released);
    } catch (RemoteFileChangedException refused) {
      Version current = Version.read(fs, path);
      if (!holder.equals(current.content().getProperty(HOLDER)) || current.released()) {
        throw new LostLease();
      }
      LOG.info(
          "{}: the run lock {} is at a version this run wrote unseen; renewing from it",
          layer,
          path);
      etag = current.etag();
      sequence = Long.parseLong(current.content().getProperty(SEQUENCE));
      writeVersion(sequence + 1, released);
    }
  }

  private void writeVersion(long next, boolean released) throws IOException {
    write(fs, path, layer, content(holder, lease, next, released), etag);
    etag = confirm(fs, path, holder, next);
    sequence = next;
  }

  private void markLost(String why) {
    lost = true;
    LOG.error("{}: lost the run lock {} ({}); this run commits nothing more", layer, path, why);
    renewer.shutdown();
  }

  @Override
  void checkHeld() {
    double age = (System.nanoTime() - renewedAtNanos) / 1e9;
    if (lost || age > lease.toMillis() * 3 / 5 / 1e3) {
      throw Errors.jobFailed(
          String.format(
              Locale.ROOT,
              "Cannot commit: %s no longer holds its run lock %s (last renewed %.1f s ago, lease %d"
                  + " s%s), so another %s run may be writing; nothing more was committed. Rerun"
                  + " when no other %s run is active",
              layer,
              path,
              age,
              lease.toSeconds(),
              lost ? ", taken by another run" : "",
              layer,
              layer),
          null);
    }
  }

  @Override
  void release() {
    // Not interrupted: a renewal under way finishes, so the lease is not left at a version whose
    // ETag this run never learnt.
    renewer.shutdown();
    try {
      if (!renewer.awaitTermination(lease.toMillis(), TimeUnit.MILLISECONDS)) {
        renewer.shutdownNow();
        renewer.awaitTermination(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!lost) {
      try {
        writeNextVersion(true);
        return;
      } catch (RemoteFileChangedException | LostLease e) {
        lost = true;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot release the run lock " + path + "; it expires by itself after " + lease, e);
      }
    }
    throw Errors.jobFailed(
        layer
            + " lost its run lock "
            + path
            + " while running; check with bin/medallion reconcile that no other run wrote at the"
            + " same time",
        null);
  }

  /**
   * Writes the lease: created only if absent ({@code ifMatchEtag} null) or replacing exactly that
   * version.
   */
  private static void write(
      FileSystem fs, Path path, String layer, byte[] content, String ifMatchEtag)
      throws IOException {
    var builder = fs.createFile(path);
    try {
      if (ifMatchEtag == null) {
        builder.overwrite(false).must(CONDITIONAL_CREATE, true);
      } else {
        builder.overwrite(true).must(CONDITIONAL_OVERWRITE_ETAG, ifMatchEtag);
      }
      try (FSDataOutputStream out = builder.build()) {
        out.write(content);
      }
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      throw noConditionalWrites(layer, path, e);
    } catch (IOException e) {
      if (unsupportedByTheStore(e)) {
        throw noConditionalWrites(layer, path, e);
      }
      throw e;
    }
  }

  /**
   * Whether the store answered that it does not implement the request (501, 405 or 415, or the
   * error code NotImplemented), judged from the store's answer: a message's text can hold any
   * digits, a request ID among them.
   */
  static boolean unsupportedByTheStore(IOException e) {
    return e instanceof AWSUnsupportedFeatureException
        || (e instanceof AWSServiceIOException answer
            && answer.awsErrorDetails() != null
            && "NotImplemented".equals(answer.awsErrorDetails().errorCode()));
  }

  /**
   * The ETag of the lease this run just wrote, read back with the content of that same version (a
   * change between the two reads fails the read), so it is never another run's ETag.
   */
  private static String confirm(FileSystem fs, Path path, String holder, long sequence)
      throws IOException {
    Version written = Version.read(fs, path);
    if (!holder.equals(written.content().getProperty(HOLDER))
        || !String.valueOf(sequence).equals(written.content().getProperty(SEQUENCE))) {
      throw new LostLease();
    }
    return written.etag();
  }

  /**
   * The store's clock now: the Last-Modified of a probe object written just now, beside the lease.
   */
  private static long serverNowMillis(FileSystem fs, Path path) throws IOException {
    Path probe = path.suffix(".clock");
    try (FSDataOutputStream out = fs.create(probe, true)) {
      out.write('.');
    }
    return fs.getFileStatus(probe).getModificationTime();
  }

  private static byte[] content(String holder, Duration lease, long sequence, boolean released) {
    return (HOLDER
            + "="
            + holder
            + "\n"
            + WRITTEN
            + "="
            + Instant.now()
            + "\n"
            + LEASE_MILLIS
            + "="
            + lease.toMillis()
            + "\n"
            + SEQUENCE
            + "="
            + sequence
            + "\n"
            + RELEASED
            + "="
            + released
            + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String holderDescription() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return host
        + " pid "
        + ManagementFactory.getRuntimeMXBean().getPid()
        + " run "
        + UUID.randomUUID();
  }

  private static RuntimeException held(
      String layer, Path path, Version lock, long remainingMillis) {
    return Errors.jobFailed(
        "Cannot start "
            + layer
            + ": another "
            + layer
            + " run holds "
            + path
            + " ("
            + lock.describe()
            + ", lease for about "
            + Math.max(1, remainingMillis / 1000)
            + " s more); wait for it to finish, or, if it was killed, until its lease expires",
        null);
  }

  private static RuntimeException noConditionalWrites(String layer, Path path, Exception cause) {
    return Errors.jobFailed(
        "Cannot take the "
            + layer
            + " run lock "
            + path
            + ": this store does not support conditional writes (If-None-Match, If-Match), which"
            + " the lock needs to keep one writer per table; use a store that has them (AWS S3,"
            + " MinIO, recent Ceph) or a local or mounted file system",
        cause);
  }

  /** Thrown when the lease read back is not the version this run wrote. */
  private static final class LostLease extends IOException {
    LostLease() {
      super("the lease was written by another run");
    }
  }

  /**
   * One version of the lease object: its ETag and Last-Modified with the content of that version.
   */
  private record Version(String etag, long modifiedMillis, Properties content) {
    static Version read(FileSystem fs, Path path) throws IOException {
      FileStatus status = fs.getFileStatus(path);
      Properties properties = new Properties();
      // Opened with the status: s3a reads that ETag's version or fails, never a newer one.
      try (FSDataInputStream in =
          FutureIO.awaitFuture(fs.openFile(path).withFileStatus(status).build())) {
        properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      }
      String etag = status instanceof EtagSource source ? source.getEtag() : null;
      return new Version(etag, status.getModificationTime(), properties);
    }

    boolean released() {
      return Boolean.parseBoolean(content.getProperty(RELEASED, "false"));
    }

    long leaseMillis(Duration fallback) {
      try {
        return Long.parseLong(
            content.getProperty(LEASE_MILLIS, String.valueOf(fallback.toMillis())));
      } catch (NumberFormatException e) {
        return fallback.toMillis();
      }
    }

    String describe() {
      return content.getProperty(HOLDER, "an unknown run")
          + ", renewed "
          + content.getProperty(WRITTEN, "at an unknown time");
    }
  }
}
