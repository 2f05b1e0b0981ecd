/**
 * Test support: the engine's {@code System.Logger} output during tests — printed as it comes, or
 * captured in tests that inject failures on purpose ({@code CapturesEngineLog}) and shown only
 * when such a test fails.
 */
package dev.sapwood.testlog;
