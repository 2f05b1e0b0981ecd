package dev.sapwood;

/**
 * Size limits on keys, values and batches, and the checks every entry point applies.
 *
 * <ul>
 *   <li>A key is at most {@link #MAX_KEY_SIZE} (16 KiB); empty keys are legal. Checked by every
 *       method taking a key ({@link Tree}, {@link WriteBatch}, cursors and views).
 *   <li>A value, or an update argument, is at most {@link #MAX_VALUE_SIZE} (16 MiB); empty
 *       values are legal. Checked by {@link Tree#put}, {@link Tree#update} and {@link WriteBatch}.
 *       The limit also holds for every value an {@link UpdateFunction} produces: an update whose
 *       result would pass it is skipped and the value stays as it was (see {@link
 *       UpdateFunction}), so no stored value is ever larger.
 *   <li>A {@link WriteBatch} is at most {@link #MAX_BATCH_SIZE} (255 MiB), counted as {@link
 *       #batchOpSize} over its operations. Checked as each operation is added: the operation that
 *       would pass the limit is refused and the batch keeps the operations it had. A batch is
 *       logged as one record, and the log's record limit (256 MiB) is above any batch this allows.
 * </ul>
 *
 * <p>Every check throws {@link IllegalArgumentException} before anything is stored or logged.
 * The limits are part of the on-disk contract: readers refuse longer keys and values as
 * corruption. Thread-safe (constants and pure functions).
 */
public final class Limits {
  /** Largest key, in bytes. */
  public static final int MAX_KEY_SIZE = 16 << 10;
  /** Largest value (or update argument, or update result), in bytes. */
  public static final int MAX_VALUE_SIZE = 16 << 20;
  /** Largest {@link WriteBatch}, in bytes as counted by {@link #batchOpSize}. */
  public static final int MAX_BATCH_SIZE = 255 << 20;
  /** Bytes each batch operation counts beyond its key, value and function name. */
  public static final int BATCH_OP_OVERHEAD = 16;

  private Limits() {}

  /** @throws IllegalArgumentException if {@code key} is null or longer than {@link #MAX_KEY_SIZE} */
  public static void checkKey(byte[] key) {
    if (key == null) {
      throw new IllegalArgumentException("key is null");
    }
    if (key.length > MAX_KEY_SIZE) {
      throw new IllegalArgumentException("key of " + key.length + " bytes exceeds " + MAX_KEY_SIZE);
    }
  }

  /** @throws IllegalArgumentException if {@code value} is null or longer than {@link #MAX_VALUE_SIZE} */
  public static void checkValue(byte[] value) {
    if (value == null) {
      throw new IllegalArgumentException("value is null");
    }
    if (value.length > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException("value of " + value.length + " bytes exceeds " + MAX_VALUE_SIZE);
    }
  }

  /**
   * What one operation counts against {@link #MAX_BATCH_SIZE}: its key, its value or argument (0
   * for a delete), the UTF-8 bytes of its update function's name (0 unless an update), and {@link
   * #BATCH_OP_OVERHEAD}. At least what the operation takes in the batch's log record.
   */
  public static long batchOpSize(int keyLength, int valueLength, int functionNameLength) {
    return (long) keyLength + valueLength + functionNameLength + BATCH_OP_OVERHEAD;
  }
}
