package dev.sapwood.kafka;

import dev.sapwood.Options;
import org.apache.kafka.streams.state.HeadersBytesStoreSupplier;

/** A {@link SapwoodStoreSupplier} of stores whose values carry timestamps and headers. */
final class HeadersSapwoodStoreSupplier extends SapwoodStoreSupplier implements HeadersBytesStoreSupplier {
  HeadersSapwoodStoreSupplier(String name, Options options) {
    super(name, options, StoreFormat.HEADERS);
  }
}
