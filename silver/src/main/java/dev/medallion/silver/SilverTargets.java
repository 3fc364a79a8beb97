package dev.medallion.silver;

import dev.medallion.common.CoreTables;
import dev.medallion.common.TableLocations;

/**
 * Where a silver run writes: the live tables and checkpoint, or their copies under {@code
 * _staging/silver} while a full refresh rebuilds them.
 */
record SilverTargets(String events, String quarantine, String checkpoint) {
  static SilverTargets live(TableLocations tables) {
    return new SilverTargets(
        tables.silverEvents(),
        tables.silverQuarantine(),
        tables.checkpoint(CoreTables.SILVER_READS_BRONZE));
  }

  static SilverTargets staged(TableLocations tables) {
    String staging = tables.staging(SilverJob.LAYER);
    return new SilverTargets(
        staging + "/events", staging + "/quarantine", staging + "/_checkpoint");
  }
}
