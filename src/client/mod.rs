//! The Tool Router client: configuration, headers, retries, and every session operation.
