package dev.medallion.silver;

import dev.medallion.common.config.MedallionConfig;
import dev.medallion.common.config.Settings;
import dev.medallion.common.error.Errors;
import java.util.Locale;
import java.util.Optional;

/**
 * The per-run alarm on the share of records silver quarantines: a producer that changed a field's
 * type sends every record to the quarantine, and the run must say so the same hour. Tombstones are
 * left out: on a compacted topic they are normal.
 *
 * @param maxRatio the share of a run's records that may be quarantined quietly
 * @param fail whether a run above it fails (after its commits) instead of warning
 */
record QuarantineRatio(double maxRatio, boolean fail) {
  static QuarantineRatio from(MedallionConfig config) {
    return new QuarantineRatio(
        config.get(Settings.SILVER_QUARANTINE_MAX_RATIO),
        "fail".equals(config.get(Settings.SILVER_QUARANTINE_RATIO_ACTION)));
  }

  /**
   * A warning for the summary line when the run is above the ratio, else empty.
   *
   * @throws dev.medallion.common.error.MedallionException above the ratio when {@link #fail}
   */
  Optional<String> check(long records, long quarantined, long tombstones) {
    long judged = records - tombstones;
    long rejected = quarantined - tombstones;
    if (judged <= 0 || rejected <= maxRatio * judged) {
      return Optional.empty();
    }
    String line =
        String.format(
            Locale.ROOT,
            "quarantined %.1f%% of the run's records (%d of %d, tombstones aside), above"
                + " silver.quarantine.max.ratio=%s: did a producer change its events? See"
                + " bin/medallion quarantine",
            100.0 * rejected / judged,
            rejected,
            judged,
            maxRatio);
    if (fail) {
      throw Errors.jobFailed(
          "silver " + line + " (silver.quarantine.ratio.action=fail; the run's commits stand)",
          null);
    }
    return Optional.of(line);
  }
}
