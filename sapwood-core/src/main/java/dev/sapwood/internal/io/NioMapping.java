package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * A {@link NioFile}'s {@link IoMapping}: a shared read-write {@code MappedByteBuffer} over the
 * file's first {@code size} bytes (the JDK extends the file to them: a sparse tail, allocated as
 * pages are first stored). A store into a page the file system cannot allocate (a full disk) is
 * a fault the JDK raises as an {@link InternalError}; it is thrown as an {@link IOException}.
 *
 * <p>Invariants: {@code size <= Integer.MAX_VALUE} (one buffer); stores use absolute positions only,
 * so concurrent stores to disjoint ranges need no lock.
 */
final class NioMapping implements IoMapping {
  private final NioFile file;
  private final MappedByteBuffer bytes;

  NioMapping(NioFile file, MappedByteBuffer bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  @Override
  public long size() {
    return bytes.capacity();
  }

  @Override
  public void put(long position, ByteBuffer src) throws IOException {
    int len = src.remaining();
    if (position < 0 || position > bytes.capacity() - len) {
      throw new IllegalArgumentException(len + " bytes at " + position + " pass the mapping's " + bytes.capacity()
          + " of " + file.name());
    }
    try {
      bytes.put((int) position, src, src.position(), len);
    } catch (InternalError e) {
      throw new IOException("a store into the mapping of " + file.name() + " at " + position + " failed", e);
    }
    src.position(src.limit());
  }

  @Override
  public void force() throws IOException {
    try {
      bytes.force();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    file.force();
  }
}
