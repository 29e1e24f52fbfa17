//! Every wire response type of `composio_edge::wire` decoded from arbitrary JSON: no panic, and a
//! decoded value survives an encode/decode round trip unchanged (nothing is lost or invented).
#![no_main]

use composio_edge::wire;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let text = serde_json::to_vec(&v).expect("a decoded value encodes");
    let back: T = serde_json::from_slice(&text).expect("an encoded value decodes");
    assert_eq!(v, back);
}

macro_rules! wire_types {
    ($data:expr; $($t:ty),* $(,)?) => {
        $( round_trip::<$t>($data); )*
    };
}

fuzz_target!(|data: &[u8]| {
    // Add each response type of `crate::wire` here as it lands.
    wire_types!(data;
        wire::Tool,
        wire::ToolkitRef,
        wire::ExecuteResponse,
        Vec<wire::Tool>,
        // account.rs
        wire::AuthConfigRef,
        wire::ToolkitConnectedAccount,
        wire::ToolkitMeta,
        wire::ToolkitItem,
        wire::LinkResponse,
        wire::ConnectionRequest,
        wire::ConnectedAccount,
        wire::BinaryData,
        wire::ProxyResponse,
        wire::MountItem,
        wire::MountUrl,
        // search.rs
        wire::SearchResult,
        wire::SearchAccount,
        wire::ToolkitConnectionStatus,
        wire::SchemaRef,
        wire::SearchToolSchema,
        wire::TimeInfo,
        wire::WorkflowSession,
        wire::SearchResponse,
        // session.rs
        wire::McpInfo,
        wire::PreloadInfo,
        wire::SessionConfig,
        wire::CustomToolEcho,
        wire::CustomToolkitEcho,
        wire::SessionExperimental,
        wire::SessionWarning,
        wire::SessionInfo,
        wire::DeleteSessionResponse,
        wire::ConfigHistoryEntry,
        wire::Page<wire::ToolkitItem>,
        wire::Page<wire::ConnectedAccount>,
        wire::Page<wire::ConfigHistoryEntry>,
    );
    if let Ok(t) = serde_json::from_slice::<wire::Tool>(data) {
        let _ = t.toolkit_slug();
    }
    if let Ok(r) = serde_json::from_slice::<wire::ExecuteResponse>(data) {
        let _ = r.successful();
    }
});
