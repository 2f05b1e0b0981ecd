package dev.sapwood;

/**
 * Something read from disk is damaged: a checksum mismatch, a wrong magic number, a length or
 * offset out of range, or bytes that do not decode. The message names the file, the block (when
 * known) and the byte offset in the file. Sapwood never returns data it could not verify.
 */
public class CorruptionException extends SapwoodException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long offset;

  /**
   * @param file the file the bad bytes came from
   * @param offset the byte offset in that file where the damaged structure starts, or -1
   * @param what what was wrong, including the block number when there is one
   */
  public CorruptionException(String file, long offset, String what) {
    super("corruption in " + file + (offset >= 0 ? " at offset " + offset : "") + ": " + what);
    this.file = file;
    this.offset = offset;
  }

  public CorruptionException(String file, long offset, String what, Throwable cause) {
    this(file, offset, what);
    initCause(cause);
  }

  /** The file that holds the damaged bytes. */
  public String file() {
    return file;
  }

  /** The byte offset in {@link #file()} of the damaged structure, or -1 when unknown. */
  public long offset() {
    return offset;
  }
}
