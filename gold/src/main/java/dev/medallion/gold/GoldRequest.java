package dev.medallion.gold;

import dev.medallion.common.error.Errors;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What one gold run should do: the normal incremental run; a full refresh of every table or of one
 * ({@code --table}); or a backfill of a date range ({@code --from}, {@code --to}).
 *
 * @param from first day to recompute (inclusive), with {@code to}
 * @param to day after the last to recompute (exclusive)
 */
public record GoldRequest(
    Optional<GoldTable> table,
    boolean fullRefresh,
    Optional<LocalDate> from,
    Optional<LocalDate> to) {

  public static GoldRequest incremental() {
    return new GoldRequest(Optional.empty(), false, Optional.empty(), Optional.empty());
  }

  /**
   * Parses and checks the command-line form, {@code --table} among {@code gold}'s tables; every
   * mistake is a one-line usage error.
   */
  public static GoldRequest parse(
      GoldTables gold, String tableName, boolean fullRefresh, String from, String to) {
    Optional<GoldTable> table = Optional.empty();
    if (tableName != null) {
      table = gold.named(tableName);
      if (table.isEmpty()) {
        throw Errors.usage("Unknown gold table '" + tableName + "'; gold tables: " + gold.names());
      }
    }
    Optional<LocalDate> fromDate = date("--from", from);
    Optional<LocalDate> toDate = date("--to", to);
    if (fromDate.isPresent() != toDate.isPresent()) {
      throw Errors.usage(
          "A gold backfill needs both --from and --to (dates, --to exclusive), e.g. --from"
              + " 2026-01-01 --to 2026-01-08");
    }
    if (fromDate.isPresent() && !fromDate.get().isBefore(toDate.get())) {
      throw Errors.usage(
          "Cannot backfill from "
              + from
              + " to "
              + to
              + ": --from must be before --to (--to is exclusive)");
    }
    if (fromDate.isPresent() && fullRefresh) {
      throw Errors.usage("Use either --full-refresh or --from/--to, not both");
    }
    if (table.isPresent() && !fullRefresh && fromDate.isEmpty()) {
      throw Errors.usage(
          "--table needs --full-refresh or --from/--to: incremental runs always update every gold"
              + " table");
    }
    return new GoldRequest(table, fullRefresh, fromDate, toDate);
  }

  /** The request as the command line that makes it, for the run ledger. */
  public String commandLine() {
    StringBuilder line = new StringBuilder("gold");
    if (fullRefresh) {
      line.append(" --full-refresh");
    }
    table.ifPresent(t -> line.append(" --table ").append(t.name()));
    from.ifPresent(day -> line.append(" --from ").append(day));
    to.ifPresent(day -> line.append(" --to ").append(day));
    return line.toString();
  }

  private static Optional<LocalDate> date(String option, String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(value));
    } catch (DateTimeParseException e) {
      throw Errors.usage(
          "Invalid value '" + value + "' for " + option + ": expected a date such as 2026-01-31");
    }
  }
}
