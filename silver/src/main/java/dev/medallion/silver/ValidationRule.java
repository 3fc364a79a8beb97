package dev.medallion.silver;

import java.util.Objects;
import org.apache.spark.sql.Column;

/**
 * One validation rule: a record for which {@code failsWhen} holds goes to the quarantine with
 * {@code reason}. The predicate reads the columns {@link SilverTransforms#classify} derives from
 * the raw record and must be true or false for every record, never null.
 *
 * @param reason the code stored in the quarantine, e.g. {@code WRONG_TYPE:revenue}
 * @param failsWhen when the record breaks the rule
 * @param doc one sentence for operators: what the rule rejects
 */
public record ValidationRule(String reason, Column failsWhen, String doc) {
  public ValidationRule {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(failsWhen, "failsWhen");
    Objects.requireNonNull(doc, "doc");
  }
}
