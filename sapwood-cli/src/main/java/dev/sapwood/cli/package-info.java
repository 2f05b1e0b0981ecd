/**
 * The {@code sapwood} command line: one picocli command per file ({@code Main} lists them), the
 * guided {@code demo}, and text and JSON rendering of keys and values ({@code Text}).
 *
 * <p>May import: Sapwood's public API, {@code dev.sapwood.internal.tools} (exported to this module
 * only: verify, dump, tree shapes), {@code dev.sapwood.bench} and picocli.
 *
 * <p>Invariants: an error is one line on standard error and a non-zero exit status; its stack
 * trace only with {@code --verbose}.
 */
package dev.sapwood.cli;
