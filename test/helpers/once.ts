/**
 * Setup that several tests of a file need and that may be done only once (a payment, an import): the
 * first call runs it, later calls get the same result. A test run alone (`-t`) then does the setup itself,
 * and in a full run the tests after the first share what it did.
 */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
