//! A Tool Router session handle and every session operation of wire §2–§4.

use std::cell::RefCell;
use std::rc::Rc;

use crate::http;
use crate::http::Method;
use crate::json;
use crate::json::{Map, Value};

use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::transport::Transport;
use crate::wire::{
    ConfigHistoryEntry, ConnectedAccount, ConnectionRequest, DeleteSessionResponse,
    ExecuteResponse, LinkResponse, MountItem, MountUrl, Page, ProxyResponse, SearchResponse,
    SessionInfo, Tool, ToolkitItem, ToolkitRef,
};

use super::custom::{
    join_all, run_local, CustomRoutes, Customs, LocalBoxFuture, SessionOps, ToolContext,
};
use super::options::{
    EnsureOptions, EnsureResult, LinkOptions, ProxyRequest, SearchRequest, ToolkitsQuery,
    UpdateSession,
};
use super::{connection_request, encode_path_param, Client, Query, Retry, API_PREFIX};
use crate::provider::{Provider, ToolCall};
use crate::tools::multi::{merge_multi_execute, try_plan_multi_execute, MultiPlan, ToolOutcome};

/// The multi-execute meta tool.
pub const MULTI_EXECUTE_SLUG: &str = "COMPOSIO_MULTI_EXECUTE_TOOL";
/// Page size of `GET …/tools`.
pub const TOOLS_PAGE_SIZE: u32 = 500;
/// Description prefix of preloaded custom tools (wire §6.5).
pub const DIRECT_TOOL_PREFIX: &str =
    "[Direct tool - call directly, no search needed beforehand.]\n";
const MAX_PAGES: usize = 1000;

#[derive(Debug)]
struct State {
    user_id: Option<String>,
    info: Option<SessionInfo>,
    customs: Customs,
    routes: CustomRoutes,
    preload_all: bool,
    schemas: std::collections::HashMap<String, Value>,
}

/// A session handle. Cheap to clone; clones share state (`info`, routing map).
pub struct Session<T, R> {
    client: Client<T, R>,
    id: Rc<str>,
    state: Rc<RefCell<State>>,
}

impl<T, R> Clone for Session<T, R> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            id: self.id.clone(),
            state: self.state.clone(),
        }
    }
}

impl<T, R> std::fmt::Debug for Session<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<T: Transport + 'static, R: Runtime + 'static> SessionOps for Session<T, R> {
    fn execute(
        &self,
        slug: String,
        args: Value,
        depth: u32,
    ) -> LocalBoxFuture<'_, Result<ExecuteResponse>> {
        Box::pin(async move { self.dispatch(&slug, args, None, false, depth).await })
    }
    fn proxy_execute(&self, req: ProxyRequest) -> LocalBoxFuture<'_, Result<ProxyResponse>> {
        Box::pin(async move { Session::proxy_execute(self, &req).await })
    }
}

impl<T: Transport + 'static, R: Runtime + 'static> Session<T, R> {
    pub(crate) fn bare(client: Client<T, R>, id: String, user_id: Option<String>) -> Self {
        Self {
            client,
            id: id.into(),
            state: Rc::new(RefCell::new(State {
                user_id,
                info: None,
                customs: Customs::default(),
                routes: CustomRoutes::default(),
                preload_all: false,
                schemas: Default::default(),
            })),
        }
    }

    pub(crate) fn from_info(
        client: Client<T, R>,
        info: SessionInfo,
        user_id: Option<String>,
        customs: Customs,
        preload_all: bool,
    ) -> Result<Self> {
        if info.session_id.is_empty() {
            return Err(Error::Decode {
                status: 200,
                message: "session response has no session_id".into(),
                body: String::new(),
            });
        }
        let routes = CustomRoutes::from_echo(&customs, &info.experimental, preload_all)?;
        Ok(Self {
            client,
            id: info.session_id.clone().into(),
            state: Rc::new(RefCell::new(State {
                user_id,
                info: Some(info),
                customs,
                routes,
                preload_all,
                schemas: Default::default(),
            })),
        })
    }

    /// The session id (`trs_…`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The session's user, when known.
    pub fn user_id(&self) -> Option<String> {
        self.state.borrow().user_id.clone()
    }

    /// The last create/retrieve/attach/update response, when this handle made one.
    pub fn info(&self) -> Option<SessionInfo> {
        self.state.borrow().info.clone()
    }

    /// The client.
    pub fn client(&self) -> &Client<T, R> {
        &self.client
    }

    /// The routing map of local custom tools.
    pub fn routes(&self) -> CustomRoutes {
        self.state.borrow().routes.clone()
    }

    /// The session's MCP endpoint (`{"type","url"}`), without credentials (wire §8).
    pub fn mcp(&self) -> Option<crate::wire::McpInfo> {
        self.state.borrow().info.as_ref()?.mcp.clone()
    }

    /// The headers an MCP client needs for [`Session::mcp`]: `x-api-key` when the MCP URL has
    /// the API base URL's origin, else none. They carry the **project key**: use them
    /// server-side only, never hand them to a browser (SEC-22).
    pub fn mcp_headers(&self) -> Vec<(String, crate::secret::SecretString)> {
        let Some(mcp) = self.mcp() else {
            return Vec::new();
        };
        let o = origin(&mcp.url);
        if o.is_some() && o == origin(self.client.base_url()) {
            vec![(
                "x-api-key".to_owned(),
                crate::secret::SecretString::new(self.client.config().api_key.expose_secret()),
            )]
        } else {
            Vec::new()
        }
    }

    fn path(&self, suffix: &str) -> Result<String> {
        Ok(format!(
            "{API_PREFIX}/tool_router/session/{}{suffix}",
            encode_path_param(&self.id)?
        ))
    }

    /// The inline `experimental` block re-sent on search/execute/execute_meta (wire §6.3).
    pub fn inline_experimental(&self) -> Option<Value> {
        let st = self.state.borrow();
        if st.customs.is_empty() {
            None
        } else {
            Some(Value::Object(st.customs.to_wire(st.preload_all)))
        }
    }

    fn context(&self, depth: u32) -> ToolContext {
        ToolContext::new(
            self.user_id(),
            self.id.to_string(),
            Rc::new(self.clone()),
            depth,
        )
    }

    /// `PATCH …/session/{id}` (never retried). 409 → [`Error::SessionConfigConflict`].
    pub async fn update(&self, update: &UpdateSession) -> Result<SessionInfo> {
        let body = update.to_wire()?;
        let res: Result<SessionInfo> = self
            .client
            .call(
                Method::PATCH,
                &self.path("")?,
                &Query::new(),
                Some(&body),
                Retry::Never,
            )
            .await;
        let info = match res {
            Err(Error::Api(e)) if e.status == 409 => return Err(Error::SessionConfigConflict(e)),
            other => other?,
        };
        let mut st = self.state.borrow_mut();
        let mut stored = info.clone();
        if let Some(prev) = &st.info {
            if stored.experimental.custom_tools.is_empty()
                && stored.experimental.custom_toolkits.is_empty()
            {
                stored.experimental.custom_tools = prev.experimental.custom_tools.clone();
                stored.experimental.custom_toolkits = prev.experimental.custom_toolkits.clone();
            }
        }
        st.preload_all = stored.config.preload.is_all();
        st.info = Some(stored);
        Ok(info)
    }

    /// `DELETE …/session/{id}`.
    pub async fn delete(&self) -> Result<DeleteSessionResponse> {
        self.client
            .call(
                Method::DELETE,
                &self.path("")?,
                &Query::new(),
                None,
                Retry::Yes,
            )
            .await
    }

    /// `GET …/config_history?limit=&cursor=` (limit ≤ 100).
    pub async fn config_history(
        &self,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page<ConfigHistoryEntry>> {
        if limit.is_some_and(|l| l == 0 || l > 100) {
            return Err(Error::InvalidRequest("limit must be 1 to 100".into()));
        }
        let q = Query::new().num("limit", limit).str("cursor", cursor);
        self.client
            .call(
                Method::GET,
                &self.path("/config_history")?,
                &q,
                None,
                Retry::Yes,
            )
            .await
    }

    /// Every tool of the session (`GET …/tools?limit=500`, following `next_cursor`), plus the
    /// preloaded local custom tools (wire §4.1, §6.5).
    pub async fn tools(&self) -> Result<Vec<Tool>> {
        let mut out: Vec<Tool> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let q = Query::new()
                .num("limit", Some(TOOLS_PAGE_SIZE))
                .str("cursor", cursor.clone());
            let page: Page<Tool> = self
                .client
                .call(Method::GET, &self.path("/tools")?, &q, None, Retry::Yes)
                .await?;
            out.extend(page.items.into_iter().map(normalize_tool));
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(c) if seen.insert(c.clone()) => cursor = Some(c),
                _ => break,
            }
        }
        {
            let mut st = self.state.borrow_mut();
            for t in &out {
                if !t.input_parameters.is_null() {
                    st.schemas
                        .insert(t.slug.to_ascii_uppercase(), t.input_parameters.clone());
                }
            }
        }
        for t in self.preloaded_custom_tools() {
            if !out.iter().any(|o| o.slug.eq_ignore_ascii_case(&t.slug)) {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// The routable custom tools as [`Tool`]s with their final slugs (wire §4.9).
    pub fn custom_tools(&self) -> Vec<Tool> {
        self.state
            .borrow()
            .routes
            .iter()
            .map(|r| custom_as_tool(r, false))
            .collect()
    }

    fn preloaded_custom_tools(&self) -> Vec<Tool> {
        self.state
            .borrow()
            .routes
            .iter()
            .filter(|r| r.preload)
            .map(|r| custom_as_tool(r, true))
            .collect()
    }

    /// `POST …/search` (wire §4.2), with the inline customs.
    pub async fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        let mut body = req.to_wire()?;
        if let (Some(exp), Some(m)) = (self.inline_experimental(), body.as_object_mut()) {
            m.insert("experimental".into(), exp);
        }
        self.client
            .call(
                Method::POST,
                &self.path("/search")?,
                &Query::new(),
                Some(&body),
                Retry::Yes,
            )
            .await
    }

    /// Executes a tool (wire §4.3): local custom tools in-process (`log_id` `""`), the
    /// multi-execute meta tool split between local and remote items (§6.7), everything else
    /// `POST …/execute` (never retried, without `enable_auto_workbench_offload`).
    pub async fn execute(
        &self,
        slug: &str,
        args: Value,
        account: Option<&str>,
    ) -> Result<ExecuteResponse> {
        self.dispatch(slug, args, account, false, 0).await
    }

    /// The agentic path (what a provider's execute function calls): like
    /// [`Session::execute`] but sends `enable_auto_workbench_offload: true`.
    ///
    /// Arguments are normalized from model output (wire §7) and, when [`Session::tools`] has
    /// seen the tool's schema, validated against it before any request.
    pub async fn execute_tool_call(&self, slug: &str, args: Value) -> Result<ExecuteResponse> {
        let args = Value::Object(crate::tools::args::normalize_arguments(&args)?);
        self.check_known_schema(slug, &args)?;
        self.dispatch(slug, args, None, true, 0).await
    }

    /// Validates `args` against the cached schema of a remote tool (no-op when unknown or local).
    fn check_known_schema(&self, slug: &str, args: &Value) -> Result<()> {
        if self.routes().is_local(slug) {
            return Ok(());
        }
        let schema = self
            .state
            .borrow()
            .schemas
            .get(&slug.to_ascii_uppercase())
            .cloned();
        match schema {
            Some(s) => crate::tools::schema::check_arguments(slug, &s, args),
            None => Ok(()),
        }
    }

    async fn dispatch(
        &self,
        slug: &str,
        args: Value,
        account: Option<&str>,
        agentic: bool,
        depth: u32,
    ) -> Result<ExecuteResponse> {
        let routes = self.routes();
        if let Some(route) = routes.find(slug)? {
            if depth >= super::custom::MAX_NESTING {
                return Err(Error::InvalidRequest(
                    "custom tools are nested too deeply".into(),
                ));
            }
            return Ok(run_local(&route.tool, args, self.context(depth + 1)).await);
        }
        if !routes.is_empty() && slug.eq_ignore_ascii_case(MULTI_EXECUTE_SLUG) {
            return self.route_multi(args, account, agentic, depth).await;
        }
        self.execute_remote(slug, args, account, agentic).await
    }

    /// `POST …/execute` for a remote tool, never retried.
    pub async fn execute_remote(
        &self,
        slug: &str,
        args: Value,
        account: Option<&str>,
        agentic: bool,
    ) -> Result<ExecuteResponse> {
        if slug.is_empty() {
            return Err(Error::InvalidRequest("tool slug must not be empty".into()));
        }
        let mut m = Map::new();
        m.insert("tool_slug".into(), json!(slug));
        m.insert(
            "arguments".into(),
            if args.is_null() { json!({}) } else { args },
        );
        if let Some(a) = account {
            m.insert("account".into(), json!(a));
        }
        if agentic {
            m.insert("enable_auto_workbench_offload".into(), json!(true));
        }
        if let Some(exp) = self.inline_experimental() {
            m.insert("experimental".into(), exp);
        }
        let body = Value::Object(m);
        self.client
            .call(
                Method::POST,
                &self.path("/execute")?,
                &Query::new(),
                Some(&body),
                Retry::Never,
            )
            .await
    }

    async fn route_multi(
        &self,
        args: Value,
        account: Option<&str>,
        agentic: bool,
        depth: u32,
    ) -> Result<ExecuteResponse> {
        if depth >= super::custom::MAX_NESTING {
            return Err(Error::InvalidRequest(
                "custom tools are nested too deeply".into(),
            ));
        }
        let routes = self.routes();
        let plan = try_plan_multi_execute(&args, |slug| Ok(routes.find(slug)?.is_some()))?;
        let plan = match plan {
            MultiPlan::Forward => {
                return self
                    .execute_remote(MULTI_EXECUTE_SLUG, args, account, agentic)
                    .await
            }
            MultiPlan::Split(plan) => plan,
        };
        let ctx = self.context(depth + 1);
        let mut locals: Vec<LocalBoxFuture<'_, ToolOutcome>> = Vec::new();
        for call in &plan.locals {
            let tool = routes.find(&call.tool_slug)?.map(|r| r.tool.clone());
            let ctx = ctx.clone();
            let args = call.arguments.clone();
            locals.push(Box::pin(async move {
                match tool {
                    Some(t) => ToolOutcome::from_execute_response(&run_local(&t, args, ctx).await),
                    None => ToolOutcome::failed("custom tool not found"),
                }
            }));
        }
        let remote = async {
            match &plan.remote_input {
                Some(input) => Some(
                    self.execute_remote(MULTI_EXECUTE_SLUG, input.clone(), account, agentic)
                        .await
                        .map_err(|e| e.to_string()),
                ),
                None => None,
            }
        };
        let (local_outcomes, remote) = join2(join_all(locals), remote).await;
        let merged = merge_multi_execute(&plan, local_outcomes, remote);
        Ok(outcome_to_response(merged))
    }

    /// Executes the tool calls of a model response and returns the result messages the
    /// provider's API expects (wire §7): OpenAI chat `tool` messages, OpenAI responses
    /// `function_call_output` items, one Anthropic `user` message of `tool_result` blocks, …
    ///
    /// Calls run sequentially through [`Session::execute`] (custom tools locally, the §6.7
    /// split applied). `tools` are the tools the model was given: they restore sanitized keys
    /// and let arguments be validated before any request; a bad call costs no request and is
    /// reported to the model as a failed result.
    pub async fn handle_tool_calls(
        &self,
        provider: Provider,
        response: &Value,
        tools: &[Tool],
    ) -> Result<Vec<Value>> {
        let calls = provider.parse_tool_calls(response, tools)?;
        let mut results: Vec<(ToolCall, std::result::Result<ToolOutcome, String>)> = Vec::new();
        for call in calls {
            let outcome = self.run_tool_call(&call, tools).await;
            results.push((call, outcome));
        }
        if let Provider::OpenAiResponses { .. } = provider {
            return Ok(results
                .iter()
                .map(|(c, o)| {
                    crate::provider::openai_responses::function_call_output(
                        &c.id,
                        o.as_ref().map_err(String::as_str),
                    )
                })
                .collect());
        }
        let results: Vec<(ToolCall, ToolOutcome)> = results
            .into_iter()
            .map(|(c, o)| (c, o.unwrap_or_else(ToolOutcome::failed)))
            .collect();
        Ok(provider.result_messages(&results))
    }

    async fn run_tool_call(
        &self,
        call: &ToolCall,
        tools: &[Tool],
    ) -> std::result::Result<ToolOutcome, String> {
        let args = Value::Object(call.arguments.clone());
        if !self.routes().is_local(&call.name) {
            if let Some(t) = tools
                .iter()
                .find(|t| t.slug.eq_ignore_ascii_case(&call.name))
            {
                if let Err(e) =
                    crate::tools::schema::check_arguments(&call.name, &t.input_parameters, &args)
                {
                    return Ok(ToolOutcome::failed(e.to_string()));
                }
            }
        }
        match self.execute(&call.name, args, None).await {
            Ok(r) => Ok(ToolOutcome::from_execute_response(&r)),
            Err(e) => Err(e.to_string()),
        }
    }

    /// `POST …/execute_meta` (wire §4.4), never retried, no local interception.
    pub async fn execute_meta(&self, slug: &str, args: Value) -> Result<ExecuteResponse> {
        let mut m = Map::new();
        m.insert("slug".into(), json!(slug));
        m.insert(
            "arguments".into(),
            if args.is_null() { json!({}) } else { args },
        );
        if let Some(exp) = self.inline_experimental() {
            m.insert("experimental".into(), exp);
        }
        let body = Value::Object(m);
        self.client
            .call(
                Method::POST,
                &self.path("/execute_meta")?,
                &Query::new(),
                Some(&body),
                Retry::Never,
            )
            .await
    }

    /// `POST …/link` (wire §4.5) → `{id, status: "INITIATED", redirect_url}`.
    pub async fn authorize(&self, toolkit: &str, opts: &LinkOptions) -> Result<ConnectionRequest> {
        let body = opts.to_wire(toolkit)?;
        let link: LinkResponse = self
            .client
            .call(
                Method::POST,
                &self.path("/link")?,
                &Query::new(),
                Some(&body),
                Retry::Yes,
            )
            .await?;
        if link.connected_account_id.is_empty() {
            return Err(Error::Decode {
                status: 201,
                message: "link response has no connected_account_id".into(),
                body: String::new(),
            });
        }
        Ok(connection_request(&link))
    }

    /// `GET …/toolkits` (wire §4.7).
    pub async fn toolkits(&self, q: &ToolkitsQuery) -> Result<Page<ToolkitItem>> {
        if q.limit.is_some_and(|l| l == 0 || l > 50) {
            return Err(Error::InvalidRequest("limit must be 1 to 50".into()));
        }
        let query = Query::new()
            .num("limit", q.limit)
            .str("cursor", q.cursor.clone())
            .list("toolkits", q.toolkits.as_deref())
            .bool("is_connected", q.is_connected)
            .str("search", q.search.clone());
        self.client
            .call(
                Method::GET,
                &self.path("/toolkits")?,
                &query,
                None,
                Retry::Yes,
            )
            .await
    }

    /// Every toolkit matching `q`, following `next_cursor` to the end.
    pub async fn all_toolkits(&self, q: &ToolkitsQuery) -> Result<Vec<ToolkitItem>> {
        let mut out = Vec::new();
        let mut q = q.clone();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self.toolkits(&q).await?;
            out.extend(page.items);
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(c) if seen.insert(c.clone()) => q.cursor = Some(c),
                _ => break,
            }
        }
        Ok(out)
    }

    /// [`Session::tools`] formatted for a provider (OpenAI, Anthropic, Gemini, …).
    pub async fn provider_tools(&self, provider: Provider) -> Result<Value> {
        Ok(provider.format_tools(&self.tools().await?))
    }

    /// `POST …/proxy_execute` (wire §4.8), never retried.
    pub async fn proxy_execute(&self, req: &ProxyRequest) -> Result<ProxyResponse> {
        let body = req.to_wire()?;
        self.client
            .call(
                Method::POST,
                &self.path("/proxy_execute")?,
                &Query::new(),
                Some(&body),
                Retry::Never,
            )
            .await
    }

    /// Waits for a connected account to become `ACTIVE` (wire §9.4).
    pub async fn wait_for_connection(
        &self,
        id: &str,
        timeout_ms: Option<u64>,
    ) -> Result<ConnectedAccount> {
        self.client.wait_for_connection(id, timeout_ms).await
    }

    /// Makes sure the user has a connection for `toolkit` (wire §4.6): no-auth or already
    /// active → done; else `authorize`, `on_redirect`, and wait.
    pub async fn ensure_connected(
        &self,
        toolkit: &str,
        opts: &EnsureOptions,
    ) -> Result<EnsureResult> {
        let page = self
            .toolkits(&ToolkitsQuery {
                toolkits: Some(vec![toolkit.to_owned()]),
                ..Default::default()
            })
            .await?;
        let item = page
            .items
            .iter()
            .find(|i| i.slug.eq_ignore_ascii_case(toolkit))
            .ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "toolkit {toolkit} is not available in this session"
                ))
            })?;
        if item.is_no_auth {
            return Ok(EnsureResult {
                toolkit: item.slug.clone(),
                was_connected: true,
                connected_account: None,
            });
        }
        if let Some(ca) = item
            .connected_account
            .as_ref()
            .filter(|c| c.status == "ACTIVE")
        {
            return Ok(EnsureResult {
                toolkit: item.slug.clone(),
                was_connected: true,
                connected_account: Some((ca.id.clone(), ca.status.clone())),
            });
        }
        let req = self.authorize(&item.slug, &opts.link).await?;
        if let Some(cb) = &opts.on_redirect {
            cb(&req);
        }
        let acc = self.wait_for_connection(&req.id, opts.timeout_ms).await?;
        Ok(EnsureResult {
            toolkit: item.slug.clone(),
            was_connected: false,
            connected_account: Some((acc.id, acc.status)),
        })
    }

    /// The file mount `files` (wire §4.10).
    pub fn files(&self) -> Files<T, R> {
        self.files_in("files")
    }

    /// A file mount by id.
    pub fn files_in(&self, mount_id: &str) -> Files<T, R> {
        Files {
            session: self.clone(),
            mount: mount_id.to_owned(),
        }
    }
}

fn origin(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    Some(format!("{scheme}://{host}:{port}"))
}

fn is_empty_schema(v: &Value) -> bool {
    v.is_null() || v.as_object().is_some_and(|o| o.is_empty())
}

fn normalize_tool(mut t: Tool) -> Tool {
    if is_empty_schema(&t.input_parameters) {
        t.input_parameters = Value::Null;
    }
    if is_empty_schema(&t.output_parameters) {
        t.output_parameters = Value::Null;
    }
    t
}

fn custom_as_tool(r: &super::custom::LocalRoute, direct: bool) -> Tool {
    let (tk_slug, tk_name) = match &r.toolkit {
        Some(tk) => (tk.clone(), tk.clone()),
        None => ("custom".to_owned(), "Custom".to_owned()),
    };
    let description = if direct {
        format!("{DIRECT_TOOL_PREFIX}{}", r.tool.description())
    } else {
        r.tool.description().to_owned()
    };
    Tool {
        slug: r.final_slug.clone(),
        name: r.tool.name().to_owned(),
        description,
        toolkit: Some(ToolkitRef {
            slug: tk_slug,
            name: tk_name,
            logo: None,
        }),
        input_parameters: r.tool.input_schema().clone(),
        output_parameters: r.tool.output_schema().cloned().unwrap_or(Value::Null),
        no_auth: r.tool.extends_toolkit().is_none(),
        available_versions: Vec::new(),
        version: None,
        scopes: Vec::new(),
        tags: Vec::new(),
        is_deprecated: false,
        extra: Map::new(),
    }
}

/// A session file mount (wire §4.10). Presigned transfers carry no Composio credential.
pub struct Files<T, R> {
    session: Session<T, R>,
    mount: String,
}

impl<T, R> std::fmt::Debug for Files<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files")
            .field("mount", &self.mount)
            .finish_non_exhaustive()
    }
}

fn mount_path(path: &str) -> Result<String> {
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        return Err(Error::InvalidRequest("file path must not be empty".into()));
    }
    Ok(p.to_owned())
}

impl<T: Transport + 'static, R: Runtime + 'static> Files<T, R> {
    fn path(&self, op: &str) -> Result<String> {
        self.session
            .path(&format!("/mounts/{}/{op}", encode_path_param(&self.mount)?))
    }

    /// `GET …/mounts/{mount}/items` (leading `/` of `path` stripped; `/` or `""` → all).
    pub async fn list(
        &self,
        path: Option<&str>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<MountItem>> {
        if limit.is_some_and(|l| l == 0 || l > 500) {
            return Err(Error::InvalidRequest("limit must be 1 to 500".into()));
        }
        let prefix = path
            .map(|p| p.trim_start_matches('/'))
            .filter(|p| !p.is_empty());
        let q = Query::new()
            .str("mount_relative_prefix", prefix)
            .str("cursor", cursor)
            .num("limit", limit);
        self.session
            .client
            .call(Method::GET, &self.path("items")?, &q, None, Retry::Yes)
            .await
    }

    /// `POST …/upload_url` `{"mount_relative_path","mimetype"}`.
    pub async fn create_upload_url(&self, path: &str, mimetype: &str) -> Result<MountUrl> {
        let body = json!({"mount_relative_path": mount_path(path)?, "mimetype": mimetype});
        self.post("upload_url", &body).await
    }

    /// `POST …/download_url` `{"mount_relative_path"}`.
    pub async fn create_download_url(&self, path: &str) -> Result<MountUrl> {
        self.post(
            "download_url",
            &json!({"mount_relative_path": mount_path(path)?}),
        )
        .await
    }

    /// `POST …/delete` `{"mount_relative_path"}`.
    pub async fn delete(&self, path: &str) -> Result<MountUrl> {
        self.post("delete", &json!({"mount_relative_path": mount_path(path)?}))
            .await
    }

    /// One mount operation: `POST …/mounts/{mount}/{tail}` (retried like a read: it changes
    /// nothing that a repeat would duplicate).
    async fn post(&self, tail: &str, body: &Value) -> Result<MountUrl> {
        let path = self.path(tail)?;
        self.session
            .client
            .call(Method::POST, &path, &Query::new(), Some(body), Retry::Yes)
            .await
    }

    /// Uploads `bytes`: upload URL, presigned `PUT` with `content-type: mimetype`, then a
    /// download URL (returned).
    pub async fn upload(&self, bytes: Vec<u8>, path: &str, mimetype: &str) -> Result<MountUrl> {
        let up = self.create_upload_url(path, mimetype).await?;
        let url = up.upload_url.clone().ok_or_else(|| Error::Decode {
            status: 201,
            message: "upload_url missing".into(),
            body: String::new(),
        })?;
        self.session
            .client
            .send_presigned(Method::PUT, &url, bytes, Some(mimetype))
            .await?;
        let rel = if up.mount_relative_path.is_empty() {
            mount_path(path)?
        } else {
            up.mount_relative_path.clone()
        };
        self.create_download_url(&rel).await
    }

    /// Downloads a file: download URL, then a presigned `GET`.
    pub async fn download(&self, path: &str) -> Result<Vec<u8>> {
        let d = self.create_download_url(path).await?;
        let url = d.download_url.ok_or_else(|| Error::Decode {
            status: 201,
            message: "download_url missing".into(),
            body: String::new(),
        })?;
        let res = self
            .session
            .client
            .send_presigned(Method::GET, &url, Vec::new(), None)
            .await?;
        Ok(res.into_body())
    }
}

/// Polls two futures concurrently.
async fn join2<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let mut ra = None;
    let mut rb = None;
    std::future::poll_fn(move |cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => std::task::Poll::Ready((x, y)),
            (x, y) => {
                ra = x;
                rb = y;
                std::task::Poll::Pending
            }
        }
    })
    .await
}

/// A merged [`ToolOutcome`] as an execute response (`log_id` from the remote call, else `""`).
fn outcome_to_response(o: ToolOutcome) -> ExecuteResponse {
    let log_id = o.log_id().unwrap_or_default().to_owned();
    let mut extra = o.extra;
    extra.remove("log_id");
    ExecuteResponse {
        result_type: Some(if o.successful { "completed" } else { "failed" }.into()),
        data: o.data,
        error: o.error,
        log_id,
        extra,
    }
}
