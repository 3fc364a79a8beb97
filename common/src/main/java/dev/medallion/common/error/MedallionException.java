package dev.medallion.common.error;

/**
 * A failure the user can act on. Its message is one line saying what is wrong, why, and how to fix
 * it; {@code bin/medallion} prints it as it is and exits with {@link #exitCode()}.
 *
 * <p>Exit codes (Airflow and scripts rely on them): {@value #EXIT_JOB_FAILED} when a job failed at
 * run time, {@value #EXIT_USAGE} when the command line or configuration is wrong and nothing was
 * started, {@value #EXIT_UNHEALTHY} when {@code status} finds a freshness or lag threshold broken.
 */
public final class MedallionException extends RuntimeException {
  public static final int EXIT_JOB_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_UNHEALTHY = 3;

  private final int exitCode;

  MedallionException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
