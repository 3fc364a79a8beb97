package dev.medallion.common;

import dev.medallion.common.error.Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run lock on an object store: a lease object written with S3's conditional writes
 * (If-None-Match to take a free lock, If-Match on its ETag to renew it or to take over an
 * expired one), so that of two runs racing for it exactly one wins. The holder renews the lease
 * every fifth of its duration; a run that dies stops renewing, and its lease expires after at
 * most {@code lock.lease.seconds}. Hosts are assumed to keep their clocks in sync (NTP).
 */
final class LeaseLock extends LayerLock {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseLock.class);
  static final String CONDITIONAL_CREATE = "fs.option.create.conditional.overwrite";
  static final String CONDITIONAL_OVERWRITE_ETAG = "fs.option.create.conditional.overwrite.etag";
  private static final String EXPIRES = "expires";

  private final FileSystem fs;
  private final Path path;
  private final String layer;
  private final Duration lease;
  private final String holder;
  private final ScheduledExecutorService renewer;
  private volatile String etag;
  private volatile boolean lost;

  private LeaseLock(FileSystem fs, Path path, String layer, Duration lease, String holder, String etag) {
    this.fs = fs;
    this.path = path;
    this.layer = layer;
    this.lease = lease;
    this.holder = holder;
    this.etag = etag;
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
    try {
      try {
        write(fs, path, content(holder, lease), null);
        return new LeaseLock(fs, path, layer, lease, holder, etagOf(fs, path));
      } catch (RemoteFileChangedException | FileAlreadyExistsException taken) {
        Properties current = read(fs, path);
        String currentEtag = etagOf(fs, path);
        Instant expires = Instant.ofEpochMilli(Long.parseLong(current.getProperty(EXPIRES, "0")));
        if (expires.isAfter(Instant.now())) {
          throw held(layer, path, current, expires);
        }
        try {
          write(fs, path, content(holder, lease), currentEtag);
        } catch (RemoteFileChangedException raced) {
          throw held(layer, path, read(fs, path), expires);
        }
        LOG.warn("{}: took over the expired run lock {} of {}", layer, path, describe(current));
        return new LeaseLock(fs, path, layer, lease, holder, etagOf(fs, path));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot take the " + layer + " run lock " + path, e);
    }
  }

  private void renew() {
    try {
      write(fs, path, content(holder, lease), etag);
      etag = etagOf(fs, path);
    } catch (IOException | RuntimeException e) {
      // Another run took the lock after our lease expired (renewals failed for too long).
      lost = true;
      LOG.error("{}: lost the run lock {} ({}); another {} run may be writing", layer, path, Errors.firstLine(e.getMessage()), layer);
      renewer.shutdown();
    }
  }

  @Override
  public void close() {
    renewer.shutdownNow();
    try {
      renewer.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (lost) {
      throw Errors.jobFailed(
          layer + " lost its run lock " + path + " while running; check with bin/medallion reconcile that no other run wrote at the same time",
          null);
    }
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the run lock " + path + "; it expires by itself after " + lease, e);
    }
  }

  private static void write(FileSystem fs, Path path, byte[] content, String ifMatchEtag) throws IOException {
    var builder = fs.createFile(path);
    if (ifMatchEtag == null) {
      builder.overwrite(false).must(CONDITIONAL_CREATE, true);
    } else {
      builder.overwrite(true).must(CONDITIONAL_OVERWRITE_ETAG, ifMatchEtag);
    }
    try (FSDataOutputStream out = builder.build()) {
      out.write(content);
    }
  }

  private static String etagOf(FileSystem fs, Path path) throws IOException {
    return ((EtagSource) fs.getFileStatus(path)).getEtag();
  }

  private static Properties read(FileSystem fs, Path path) throws IOException {
    Properties properties = new Properties();
    try (var in = fs.open(path)) {
      properties.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
    return properties;
  }

  private static byte[] content(String holder, Duration lease) {
    Instant now = Instant.now();
    return ("holder=" + holder + "\nacquired=" + now + "\n" + EXPIRES + "=" + now.plus(lease).toEpochMilli() + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String holderDescription() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return host + " pid " + ManagementFactory.getRuntimeMXBean().getPid() + " run " + UUID.randomUUID();
  }

  private static String describe(Properties lock) {
    return lock.getProperty("holder", "an unknown run") + " since " + lock.getProperty("acquired", "an unknown time");
  }

  private static RuntimeException held(String layer, Path path, Properties lock, Instant expires) {
    return Errors.jobFailed(
        "Cannot start " + layer + ": another " + layer + " run holds " + path + " (" + describe(lock) + ", lease until "
            + expires + "); wait for it to finish, or, if it was killed, until its lease expires",
        null);
  }
}
