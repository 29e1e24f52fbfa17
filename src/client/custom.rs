//! Custom local tools and toolkits (wire §6): definitions with slug rules, inline wire
//! serialization with the exact `preload` rules, the routing map built from the create/attach
//! echo, and local execution.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::json;
use crate::json::{Map, Value};

use crate::error::{Error, Result};
use crate::wire::{ExecuteResponse, ProxyResponse, SessionExperimental};

use super::options::ProxyRequest;

/// A boxed, non-`Send` future (what JS-backed futures are).
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The async handler of a custom tool: validated arguments and a [`ToolContext`] in, the `data`
/// object (or an error message) out.
pub type ToolHandler =
    Rc<dyn Fn(Value, ToolContext) -> LocalBoxFuture<'static, Result<Value, String>>>;

/// How deeply custom tools may call each other through [`ToolContext::execute`].
pub const MAX_NESTING: u32 = 16;

/// Longest final slug (`LOCAL_…`) the API accepts.
pub const MAX_FINAL_SLUG_LEN: usize = 60;

/// What a [`ToolContext`] can call back into: the session the tool runs in.
pub(crate) trait SessionOps {
    fn execute(
        &self,
        slug: String,
        args: Value,
        depth: u32,
    ) -> LocalBoxFuture<'_, Result<ExecuteResponse>>;
    fn proxy_execute(&self, req: ProxyRequest) -> LocalBoxFuture<'_, Result<ProxyResponse>>;
}

/// Passed to a custom tool's handler (`SessionContext` in the TS SDK): the user, and calls back
/// into the session — sibling custom tools run in-process, anything else goes to the backend.
#[derive(Clone)]
pub struct ToolContext {
    user_id: Option<String>,
    session_id: Option<String>,
    ops: Option<Rc<dyn SessionOps>>,
    depth: u32,
}

impl fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolContext")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

impl ToolContext {
    pub(crate) fn new(
        user_id: Option<String>,
        session_id: String,
        ops: Rc<dyn SessionOps>,
        depth: u32,
    ) -> Self {
        Self {
            user_id,
            session_id: Some(session_id),
            ops: Some(ops),
            depth,
        }
    }

    /// A context bound to no session (for tests of a handler): `execute` and `proxy_execute` fail.
    ///
    /// ```
    /// let ctx = composio_edge::client::ToolContext::detached(Some("u1".into()));
    /// assert_eq!(ctx.user_id(), Some("u1"));
    /// ```
    pub fn detached(user_id: Option<String>) -> Self {
        Self {
            user_id,
            session_id: None,
            ops: None,
            depth: 0,
        }
    }

    /// The session's user, when known.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The session id, when bound to a session.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Executes a tool in the same session: sibling custom tools locally, else
    /// `POST …/execute` with `{tool_slug, arguments, experimental}`.
    pub async fn execute(&self, slug: &str, args: Value) -> Result<ExecuteResponse> {
        match &self.ops {
            Some(ops) => ops.execute(slug.to_owned(), args, self.depth).await,
            None => Err(Error::InvalidRequest(
                "tool context is not bound to a session".into(),
            )),
        }
    }

    /// `POST …/proxy_execute` in the same session.
    pub async fn proxy_execute(&self, req: &ProxyRequest) -> Result<ProxyResponse> {
        match &self.ops {
            Some(ops) => ops.proxy_execute(req.clone()).await,
            None => Err(Error::InvalidRequest(
                "tool context is not bound to a session".into(),
            )),
        }
    }
}

/// Checks a custom tool or toolkit slug (wire §6.1): non-empty, `[A-Za-z0-9_-]`, not starting
/// with `LOCAL_` or `COMPOSIO_` (case-insensitively).
///
/// ```
/// use composio_edge::client::custom::validate_slug;
/// assert!(validate_slug("GREP").is_ok());
/// assert!(validate_slug("local_grep").is_err());
/// assert!(validate_slug("a b").is_err());
/// ```
pub fn validate_slug(slug: &str) -> Result<()> {
    if slug.is_empty() {
        return Err(Error::InvalidRequest(
            "custom tool slug must not be empty".into(),
        ));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(Error::InvalidRequest(format!(
            "custom slug {slug} may contain only letters, digits, '_' and '-'"
        )));
    }
    let upper = slug.to_ascii_uppercase();
    if upper.starts_with("LOCAL_") || upper.starts_with("COMPOSIO_") {
        return Err(Error::InvalidRequest(format!(
            "custom slug {slug} must not start with LOCAL_ or COMPOSIO_"
        )));
    }
    Ok(())
}

/// The final slug the backend is expected to assign: `LOCAL_<SLUG>` or `LOCAL_<TOOLKIT>_<SLUG>`
/// (uppercased). Used only for early length validation; routing uses the server's echo.
///
/// ```
/// use composio_edge::client::custom::expected_final_slug;
/// assert_eq!(expected_final_slug("grep", None), "LOCAL_GREP");
/// assert_eq!(expected_final_slug("GREP", Some("dev_tools")), "LOCAL_DEV_TOOLS_GREP");
/// ```
pub fn expected_final_slug(slug: &str, toolkit: Option<&str>) -> String {
    match toolkit {
        Some(tk) => format!("LOCAL_{}_{}", tk, slug).to_ascii_uppercase(),
        None => format!("LOCAL_{slug}").to_ascii_uppercase(),
    }
}

fn check_len(what: &str, value: &str, max: usize) -> Result<()> {
    let n = crate::encoding::char_count(value);
    if n == 0 || n > max {
        return Err(Error::InvalidRequest(format!(
            "{what} must be 1 to {max} characters long"
        )));
    }
    Ok(())
}

fn check_final_len(slug: &str, toolkit: Option<&str>) -> Result<()> {
    let f = expected_final_slug(slug, toolkit);
    if f.len() > MAX_FINAL_SLUG_LEN {
        return Err(Error::InvalidRequest(format!(
            "final slug {f} is longer than {MAX_FINAL_SLUG_LEN} characters"
        )));
    }
    Ok(())
}

/// Normalizes an input schema to `{"type":"object","properties":{…},"required"?:[…], …}`:
/// `$schema` is stripped, a missing `properties` becomes `{}`, an empty `required` is dropped.
/// Anything but an object schema is refused.
///
/// ```
/// use composio_edge::json;
/// let s = composio_edge::client::custom::normalize_input_schema(
///     json!({"$schema": "x", "properties": {"p": {"type": "string"}}, "required": []})).unwrap();
/// assert_eq!(s, json!({"type": "object", "properties": {"p": {"type": "string"}}}));
/// ```
pub fn normalize_input_schema(schema: Value) -> Result<Value> {
    let mut map = match schema {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => {
            return Err(Error::InvalidRequest(
                "custom tool input schema must be a JSON object schema".into(),
            ))
        }
    };
    map.remove("$schema");
    match map.get("type") {
        None => {}
        Some(Value::String(t)) if t == "object" => {}
        Some(_) => {
            return Err(Error::InvalidRequest(
                "custom tool input schema must have type object".into(),
            ))
        }
    }
    let properties = match map.remove("properties") {
        Some(Value::Object(p)) => Value::Object(p),
        None | Some(Value::Null) => json!({}),
        Some(_) => {
            return Err(Error::InvalidRequest(
                "custom tool input schema properties must be an object".into(),
            ))
        }
    };
    let required = match map.remove("required") {
        Some(Value::Array(r)) if !r.is_empty() => {
            if !r.iter().all(Value::is_string) {
                return Err(Error::InvalidRequest(
                    "custom tool input schema required must list strings".into(),
                ));
            }
            Some(Value::Array(r))
        }
        Some(Value::Array(_)) | None | Some(Value::Null) => None,
        Some(_) => {
            return Err(Error::InvalidRequest(
                "custom tool input schema required must be an array".into(),
            ))
        }
    };
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), properties);
    if let Some(r) = required {
        out.insert("required".into(), r);
    }
    for (k, v) in map {
        if k != "type" {
            out.insert(k, v);
        }
    }
    Ok(Value::Object(out))
}

/// A custom tool that runs in this process (wire §6.1).
#[derive(Clone)]
pub struct CustomTool {
    slug: String,
    name: String,
    description: String,
    input_schema: Value,
    output_schema: Option<Value>,
    extends_toolkit: Option<String>,
    preload: Option<bool>,
    handler: ToolHandler,
}

impl fmt::Debug for CustomTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomTool")
            .field("slug", &self.slug)
            .field("name", &self.name)
            .field("extends_toolkit", &self.extends_toolkit)
            .field("preload", &self.preload)
            .finish_non_exhaustive()
    }
}

impl CustomTool {
    /// Defines a tool. Checks the slug rules, `name` (1–128), `description` (1–5120), the final
    /// slug length (≤ 60) and normalizes the input schema.
    ///
    /// ```
    /// use composio_edge::client::CustomTool;
    /// use composio_edge::json;
    /// let grep = CustomTool::new("GREP", "Grep", "grep files",
    ///     json!({"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}),
    ///     |args, _ctx| async move { Ok(json!({"matches": [args["pattern"]]})) }).unwrap();
    /// assert_eq!(grep.slug(), "GREP");
    /// assert!(CustomTool::new("COMPOSIO_X", "x", "x", json!({}), |_, _| async { Ok(json!({})) }).is_err());
    /// ```
    pub fn new<F, Fut>(
        slug: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: Value,
        handler: F,
    ) -> Result<Self>
    where
        F: Fn(Value, ToolContext) -> Fut + 'static,
        Fut: Future<Output = Result<Value, String>> + 'static,
    {
        let handler: ToolHandler = Rc::new(move |args, ctx| Box::pin(handler(args, ctx)));
        Self::with_handler(slug, name, description, input_schema, handler)
    }

    /// Like [`CustomTool::new`] with an already boxed handler.
    pub fn with_handler(
        slug: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: Value,
        handler: ToolHandler,
    ) -> Result<Self> {
        let tool = Self {
            slug: slug.into(),
            name: name.into(),
            description: description.into(),
            input_schema: normalize_input_schema(input_schema)?,
            output_schema: None,
            extends_toolkit: None,
            preload: None,
            handler,
        };
        validate_slug(&tool.slug)?;
        check_len("custom tool name", &tool.name, 128)?;
        check_len("custom tool description", &tool.description, 5120)?;
        check_final_len(&tool.slug, None)?;
        Ok(tool)
    }

    /// Sets the output schema (sent as `output_schema`).
    pub fn with_output_schema(mut self, schema: Value) -> Self {
        self.output_schema = Some(schema);
        self
    }

    /// Makes the tool extend a Composio toolkit (inherits its auth/connection). The final slug
    /// becomes `LOCAL_<TOOLKIT>_<SLUG>`, whose length is checked.
    pub fn with_extends_toolkit(mut self, toolkit: impl Into<String>) -> Result<Self> {
        let tk = toolkit.into();
        if tk.is_empty() {
            return Err(Error::InvalidRequest(
                "extends_toolkit must not be empty".into(),
            ));
        }
        check_final_len(&self.slug, Some(&tk))?;
        self.extends_toolkit = Some(tk);
        Ok(self)
    }

    /// Sets `preload` (expose directly in `session.tools()`).
    pub fn with_preload(mut self, preload: bool) -> Self {
        self.preload = Some(preload);
        self
    }

    /// The slug as defined (not the final `LOCAL_…` slug).
    pub fn slug(&self) -> &str {
        &self.slug
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Description.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// The normalized input schema.
    pub fn input_schema(&self) -> &Value {
        &self.input_schema
    }
    /// The output schema, if any.
    pub fn output_schema(&self) -> Option<&Value> {
        self.output_schema.as_ref()
    }
    /// The extended toolkit, if any.
    pub fn extends_toolkit(&self) -> Option<&str> {
        self.extends_toolkit.as_deref()
    }
    /// The explicit preload flag.
    pub fn preload(&self) -> Option<bool> {
        self.preload
    }

    /// Runs the handler directly (no validation).
    pub fn call(
        &self,
        args: Value,
        ctx: ToolContext,
    ) -> LocalBoxFuture<'static, Result<Value, String>> {
        (self.handler)(args, ctx)
    }

    /// The wire object of §6.3. `inherited_preload` is the toolkit's (or the session default's)
    /// effective preload: an explicit `false` is sent only when it is `true`.
    pub fn to_wire(&self, inherited_preload: bool) -> Value {
        let mut m = Map::new();
        m.insert("slug".into(), json!(self.slug));
        m.insert("name".into(), json!(self.name));
        m.insert("description".into(), json!(self.description));
        m.insert("input_schema".into(), self.input_schema.clone());
        if let Some(o) = &self.output_schema {
            m.insert("output_schema".into(), o.clone());
        }
        if let Some(tk) = &self.extends_toolkit {
            m.insert("extends_toolkit".into(), json!(tk));
        }
        match self.preload {
            Some(true) => {
                m.insert("preload".into(), json!(true));
            }
            Some(false) if inherited_preload => {
                m.insert("preload".into(), json!(false));
            }
            _ => {}
        }
        Value::Object(m)
    }
}

/// A toolkit of custom tools (wire §6.1): 1–100 tools, none of which may set `extends_toolkit`.
#[derive(Clone, Debug)]
pub struct CustomToolkit {
    slug: String,
    name: String,
    description: String,
    preload: Option<bool>,
    tools: Vec<CustomTool>,
}

impl CustomToolkit {
    /// Defines a toolkit.
    ///
    /// ```
    /// use composio_edge::client::{CustomTool, CustomToolkit};
    /// use composio_edge::json;
    /// let grep = CustomTool::new("GREP", "Grep", "grep", json!({}), |_, _| async { Ok(json!({})) }).unwrap();
    /// let tk = CustomToolkit::new("DEV_TOOLS", "Dev Tools", "local dev utilities", vec![grep]).unwrap();
    /// assert_eq!(tk.tools().len(), 1);
    /// assert!(CustomToolkit::new("DEV", "Dev", "d", vec![]).is_err());
    /// ```
    pub fn new(
        slug: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        tools: Vec<CustomTool>,
    ) -> Result<Self> {
        let tk = Self {
            slug: slug.into(),
            name: name.into(),
            description: description.into(),
            preload: None,
            tools,
        };
        validate_slug(&tk.slug)?;
        check_len("custom toolkit name", &tk.name, 128)?;
        check_len("custom toolkit description", &tk.description, 2048)?;
        if tk.tools.is_empty() || tk.tools.len() > 100 {
            return Err(Error::InvalidRequest(
                "a custom toolkit must have 1 to 100 tools".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for t in &tk.tools {
            if t.extends_toolkit.is_some() {
                return Err(Error::InvalidRequest(format!(
                    "tool {} in custom toolkit {} must not set extends_toolkit",
                    t.slug, tk.slug
                )));
            }
            check_final_len(&t.slug, Some(&tk.slug))?;
            if !seen.insert(t.slug.to_ascii_uppercase()) {
                return Err(Error::InvalidRequest(format!(
                    "duplicate tool {} in custom toolkit {}",
                    t.slug, tk.slug
                )));
            }
        }
        Ok(tk)
    }

    /// Sets the toolkit's `preload` (inherited by its tools).
    pub fn with_preload(mut self, preload: bool) -> Self {
        self.preload = Some(preload);
        self
    }

    /// Slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Description.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// Explicit preload flag.
    pub fn preload(&self) -> Option<bool> {
        self.preload
    }
    /// The tools.
    pub fn tools(&self) -> &[CustomTool] {
        &self.tools
    }

    /// The wire object of §6.3; `default_preload` is `preload.tools == "all"` of the session.
    pub fn to_wire(&self, default_preload: bool) -> Value {
        let inherited = self.preload.unwrap_or(default_preload);
        let mut m = Map::new();
        m.insert("slug".into(), json!(self.slug));
        m.insert("name".into(), json!(self.name));
        m.insert("description".into(), json!(self.description));
        match self.preload {
            Some(true) => {
                m.insert("preload".into(), json!(true));
            }
            Some(false) if default_preload => {
                m.insert("preload".into(), json!(false));
            }
            _ => {}
        }
        m.insert(
            "tools".into(),
            Value::Array(self.tools.iter().map(|t| t.to_wire(inherited)).collect()),
        );
        Value::Object(m)
    }
}

/// The custom tools and toolkits a session was given, as the client defined them.
#[derive(Clone, Debug, Default)]
pub struct Customs {
    /// Standalone tools.
    pub tools: Vec<CustomTool>,
    /// Toolkits.
    pub toolkits: Vec<CustomToolkit>,
}

impl Customs {
    /// Bundles tools and toolkits.
    pub fn new(tools: Vec<CustomTool>, toolkits: Vec<CustomToolkit>) -> Self {
        Self { tools, toolkits }
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty() && self.toolkits.is_empty()
    }

    /// The inline `experimental` entries: `custom_tools` / `custom_toolkits`, each only when
    /// non-empty.
    pub fn to_wire(&self, default_preload: bool) -> Map {
        let mut m = Map::new();
        if !self.tools.is_empty() {
            m.insert(
                "custom_tools".into(),
                Value::Array(
                    self.tools
                        .iter()
                        .map(|t| t.to_wire(default_preload))
                        .collect(),
                ),
            );
        }
        if !self.toolkits.is_empty() {
            m.insert(
                "custom_toolkits".into(),
                Value::Array(
                    self.toolkits
                        .iter()
                        .map(|t| t.to_wire(default_preload))
                        .collect(),
                ),
            );
        }
        m
    }

    /// Final slugs the client expects (for rejecting custom slugs in `preload`).
    pub(crate) fn slug_aliases(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.tools {
            out.push(t.slug.to_ascii_uppercase());
            out.push(expected_final_slug(&t.slug, t.extends_toolkit.as_deref()));
        }
        for tk in &self.toolkits {
            for t in &tk.tools {
                out.push(t.slug.to_ascii_uppercase());
                out.push(expected_final_slug(&t.slug, Some(&tk.slug)));
            }
        }
        out
    }
}

/// A routable custom tool: the server's final slug bound to the local definition.
#[derive(Clone, Debug)]
pub struct LocalRoute {
    /// Final slug from the echo, e.g. `LOCAL_DEV_TOOLS_GREP`.
    pub final_slug: String,
    /// The slug as defined, e.g. `GREP`.
    pub original_slug: String,
    /// Extended Composio toolkit or parent custom toolkit.
    pub toolkit: Option<String>,
    /// `true` when the tool belongs to a custom toolkit.
    pub in_custom_toolkit: bool,
    /// Effective preload (`tool ?? toolkit ?? session default`).
    pub preload: bool,
    /// The definition.
    pub tool: CustomTool,
}

/// The routing map of wire §6.4, built only from the create/attach echo.
#[derive(Clone, Debug, Default)]
pub struct CustomRoutes {
    routes: Vec<LocalRoute>,
    by_final: HashMap<String, usize>,
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl CustomRoutes {
    /// Maps each echoed entry back to its local definition. Entries the server omitted are not
    /// routable; two entries with the same final slug are an error.
    pub fn from_echo(
        customs: &Customs,
        echo: &SessionExperimental,
        default_preload: bool,
    ) -> Result<Self> {
        let mut out = Self::default();
        for e in &echo.custom_tools {
            let original = e.original_slug.as_deref().unwrap_or_default();
            let found = customs.tools.iter().find(|t| {
                eq_ci(&t.slug, original)
                    && match (&e.extends_toolkit, &t.extends_toolkit) {
                        (Some(a), Some(b)) => eq_ci(a, b),
                        _ => true,
                    }
            });
            if let Some(t) = found {
                out.add(LocalRoute {
                    final_slug: e.slug.clone(),
                    original_slug: t.slug.clone(),
                    toolkit: t.extends_toolkit.clone(),
                    in_custom_toolkit: false,
                    preload: t.preload.unwrap_or(default_preload),
                    tool: t.clone(),
                })?;
            }
        }
        for ek in &echo.custom_toolkits {
            let Some(tk) = customs.toolkits.iter().find(|k| eq_ci(&k.slug, &ek.slug)) else {
                continue;
            };
            for e in &ek.tools {
                let original = e.original_slug.as_deref().unwrap_or_default();
                if let Some(t) = tk.tools.iter().find(|t| eq_ci(&t.slug, original)) {
                    out.add(LocalRoute {
                        final_slug: e.slug.clone(),
                        original_slug: t.slug.clone(),
                        toolkit: Some(tk.slug.clone()),
                        in_custom_toolkit: true,
                        preload: t.preload.or(tk.preload).unwrap_or(default_preload),
                        tool: t.clone(),
                    })?;
                }
            }
        }
        Ok(out)
    }

    fn add(&mut self, route: LocalRoute) -> Result<()> {
        if route.final_slug.is_empty() {
            return Ok(());
        }
        let key = route.final_slug.to_ascii_uppercase();
        if self.by_final.contains_key(&key) {
            return Err(Error::InvalidRequest(format!(
                "custom tool slug collision on {}",
                route.final_slug
            )));
        }
        self.by_final.insert(key, self.routes.len());
        self.routes.push(route);
        Ok(())
    }

    /// Finds a local tool by final slug or by unambiguous original slug, case-insensitively.
    ///
    /// `Ok(None)` means "not a custom tool" (send it to the backend);
    /// [`Error::AmbiguousToolSlug`] when an original slug names several tools.
    pub fn find(&self, slug: &str) -> Result<Option<&LocalRoute>> {
        let key = slug.to_ascii_uppercase();
        if let Some(i) = self.by_final.get(&key) {
            return Ok(self.routes.get(*i));
        }
        let matches: Vec<&LocalRoute> = self
            .routes
            .iter()
            .filter(|r| eq_ci(&r.original_slug, slug))
            .collect();
        match matches.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => {
                let mut candidates: Vec<String> =
                    many.iter().map(|r| r.final_slug.clone()).collect();
                candidates.sort();
                Err(Error::AmbiguousToolSlug {
                    slug: slug.to_owned(),
                    candidates,
                })
            }
        }
    }

    /// `true` when `slug` names a local tool (ambiguous counts as local).
    pub fn is_local(&self, slug: &str) -> bool {
        !matches!(self.find(slug), Ok(None))
    }

    /// Every route, in echo order.
    pub fn iter(&self) -> impl Iterator<Item = &LocalRoute> {
        self.routes.iter()
    }

    /// Number of routable tools.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// `true` when no tool is routable locally.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

/// Checks `args` against a custom tool's input schema before its handler runs.
pub(crate) fn check_local_args(schema: &Value, args: &Value) -> std::result::Result<(), String> {
    if !args.is_object() {
        return Err("expected an object".into());
    }
    let violations = crate::tools::schema::validate(schema, args);
    if violations.is_empty() {
        return Ok(());
    }
    Err(violations
        .iter()
        .map(|v| format!("{} {}", v.path, v.message))
        .collect::<Vec<_>>()
        .join("; "))
}

/// Runs a custom tool (wire §6.6): validate, call, wrap. Never fails: failures are in the
/// result (`{data:{}, error, successful:false}`), with `log_id` `""`.
pub async fn run_local(tool: &CustomTool, args: Value, ctx: ToolContext) -> ExecuteResponse {
    let args = if args.is_null() { json!({}) } else { args };
    if let Err(msg) = check_local_args(&tool.input_schema, &args) {
        return local_failure(format!("Input validation failed: {msg}"));
    }
    match tool.call(args, ctx).await {
        Ok(data) => ExecuteResponse {
            result_type: Some("completed".into()),
            data: if data.is_null() { json!({}) } else { data },
            error: None,
            log_id: String::new(),
            extra: Map::new(),
        },
        Err(m) => local_failure(m),
    }
}

fn local_failure(message: String) -> ExecuteResponse {
    ExecuteResponse {
        result_type: Some("failed".into()),
        data: json!({}),
        error: Some(message),
        log_id: String::new(),
        extra: Map::new(),
    }
}

/// Polls every future concurrently on the current task; outputs in input order.
pub async fn join_all<'a, T: 'a>(futures: Vec<LocalBoxFuture<'a, T>>) -> Vec<T> {
    let mut slots: Vec<(Option<LocalBoxFuture<'a, T>>, Option<T>)> =
        futures.into_iter().map(|f| (Some(f), None)).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (fut, out) in slots.iter_mut() {
            if let Some(f) = fut {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *out = Some(v);
                        *fut = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(slots.iter_mut().filter_map(|(_, o)| o.take()).collect())
        }
    })
    .await
}
