package dev.medallion.gold;

/**
 * What a gold table is recomputed by: a unit of time ({@link TimeGrain}), whose rows are replaced
 * whole, or an entity ({@link EntityGrain}), whose rows are merged by key.
 */
public sealed interface Grain permits TimeGrain, EntityGrain {
  /** The silver column whose values are this grain's units. */
  String silverColumn();
}
