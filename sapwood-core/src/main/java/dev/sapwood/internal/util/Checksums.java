package dev.sapwood.internal.util;

import java.util.zip.CRC32C;

/** CRC32C (Castagnoli) checksums, the one checksum used in every Sapwood file. */
public final class Checksums {
  private Checksums() {}

  /** The CRC32C of {@code b[off, off + len)}, as the int stored on disk. */
  public static int crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }
}
