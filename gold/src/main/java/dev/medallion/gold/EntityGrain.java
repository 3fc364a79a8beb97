package dev.medallion.gold;

import dev.medallion.common.table.SilverColumns;

/**
 * An entity a gold table keeps one row (or one row per day) of. A run recomputes the entities that
 * silver's new rows touch from their whole history in silver and merges them in by key, so a
 * session's late event or a user's backfilled day lands in the right row.
 */
public enum EntityGrain implements Grain {
  SESSION(SilverColumns.SESSION_ID),
  USER(SilverColumns.USER_ID);

  private final String silverColumn;

  EntityGrain(String silverColumn) {
    this.silverColumn = silverColumn;
  }

  @Override
  public String silverColumn() {
    return silverColumn;
  }
}
