package dev.sapwood.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An {@link IoFile} that passes every call to another; tests override the calls they want to
 * watch, slow down or fail.
 */
public class ForwardingIoFile implements IoFile {
  protected final IoFile inner;

  public ForwardingIoFile(IoFile inner) {
    this.inner = inner;
  }

  @Override
  public int read(long position, ByteBuffer dst) throws IOException {
    return inner.read(position, dst);
  }

  @Override
  public void write(long position, ByteBuffer src) throws IOException {
    inner.write(position, src);
  }

  @Override
  public void force() throws IOException {
    inner.force();
  }

  @Override
  public void truncate(long size) throws IOException {
    inner.truncate(size);
  }

  @Override
  public long size() throws IOException {
    return inner.size();
  }

  @Override
  public boolean tryLock() throws IOException {
    return inner.tryLock();
  }

  @Override
  public boolean tryLockShared() throws IOException {
    return inner.tryLockShared();
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
