package dev.sapwood.internal.tree;

import dev.sapwood.CorruptionException;

/**
 * Damage found in a node image, as {@link NodeReader#corrupt} reports it: the file offset is the
 * block's extent plus the damaged byte's place in the image. That is right for bytes read from the
 * file, and wrong for a parked image (bytes in memory, off the file): the reader that knows its
 * bytes came from a parked image says so instead ({@link #inParkedImage}), naming the block and the
 * byte in the image and no file offset, since the block's extent, if it has one, holds an older
 * image that is not damaged.
 */
final class BlockCorruption extends CorruptionException {
  private static final long serialVersionUID = 1L;

  private final long block;
  private final long offsetInBlock;
  private final String what;

  BlockCorruption(String file, long offset, long block, long offsetInBlock, String what, String message) {
    super(file, offset, message);
    this.block = block;
    this.offsetInBlock = offsetInBlock;
    this.what = what;
  }

  /** The same damage reported as found in the parked image of the block (no file offset). */
  CorruptionException inParkedImage() {
    CorruptionException e = new CorruptionException(file(), -1,
        "parked image of block " + block + ", its byte " + offsetInBlock + ": " + what);
    e.setStackTrace(getStackTrace());
    return e;
  }
}
