//! A local, stateful emulator of the Tool Router v3.1 API.
//!
//! Contract (shared with the Worker shell and the gateway): [`Emulator::handle`] is a pure
//! `http` request → response handler over a [`Store`] and a [`Runtime`]. Requests carry an
//! absolute URI so the emulator knows its own public origin (for connect links). A response with
//! the header [`DROP_CONNECTION_HEADER`] asks the shell to drop the connection instead.

use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{json_response, HttpRequest, HttpResponse, Transport};
use crate::Error;

/// Response header by which fault injection asks a shell to drop the connection.
pub const DROP_CONNECTION_HEADER: &str = "x-emulator-fault";

/// The Tool Router emulator.
#[derive(Clone, Debug, Default)]
pub struct Emulator {}

impl Emulator {
    /// A new emulator with the built-in catalog.
    pub fn new() -> Self {
        Self {}
    }

    /// Handles one request (contract stub: the emulator issue replaces the body).
    pub async fn handle<S: Store, R: Runtime>(
        &self,
        req: HttpRequest,
        store: &S,
        rt: &R,
    ) -> HttpResponse {
        let _ = (req, store, rt);
        json_response(
            501,
            &serde_json::json!({"error": {"message": "not implemented", "code": 501, "slug": "NotImplemented", "status": 501}}),
        )
    }
}

/// A [`Transport`] that calls an [`Emulator`] in-process (native tests, benchmarks).
pub struct InProcess<S, R> {
    /// The emulator.
    pub emulator: Emulator,
    /// Its state.
    pub store: S,
    /// Clock and entropy.
    pub runtime: R,
}

impl<S: Store, R: Runtime> Transport for InProcess<S, R> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let res = self
            .emulator
            .handle(request, &self.store, &self.runtime)
            .await;
        if res
            .headers()
            .get(DROP_CONNECTION_HEADER)
            .is_some_and(|v| v == "drop")
        {
            return Err(crate::transport::transport_error(
                crate::error::TransportErrorKind::Connect,
                "connection dropped",
            ));
        }
        Ok(res)
    }
}
