//! Browser-local custom tools: definitions sent inline as `custom_tools` (wire §6.3) and handlers
//! that run in the page or worker, never on the gateway.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::json::Value;

use crate::json;

use crate::Error;

/// The future a local handler returns: the tool's data, or an error message.
pub type LocalFuture = Pin<Box<dyn Future<Output = Result<Value, String>>>>;

/// A local tool's handler, called with the (normalized, validated) arguments.
pub type LocalHandler = Rc<dyn Fn(Value) -> LocalFuture>;

/// A browser-local tool.
#[derive(Clone)]
pub struct LocalTool {
    /// Slug as registered (`GREP`); the backend names it `LOCAL_GREP`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// LLM-facing description.
    pub description: String,
    /// JSON Schema of the arguments (an object schema).
    pub input_schema: Value,
    /// Listed directly by `tools()` (wire §6.5) instead of only being found by search.
    pub preload: bool,
    /// What runs it.
    pub handler: LocalHandler,
}

impl std::fmt::Debug for LocalTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTool")
            .field("slug", &self.slug)
            .field("name", &self.name)
            .field("preload", &self.preload)
            .finish_non_exhaustive()
    }
}

impl LocalTool {
    /// A tool from a slug, description, schema and an async closure.
    ///
    /// ```
    /// use composio_edge::edge::LocalTool;
    /// let t = LocalTool::new("read_page", "Reads the page title", composio_edge::json!({"type": "object"}),
    ///     |_args| async { Ok(composio_edge::json!({"title": "Home"})) });
    /// assert_eq!(t.final_slug(), "LOCAL_READ_PAGE");
    /// ```
    pub fn new<F, Fut>(
        slug: impl Into<String>,
        description: impl Into<String>,
        input_schema: Value,
        handler: F,
    ) -> Self
    where
        F: Fn(Value) -> Fut + 'static,
        Fut: Future<Output = Result<Value, String>> + 'static,
    {
        let slug = slug.into();
        Self {
            name: slug.clone(),
            slug,
            description: description.into(),
            input_schema,
            preload: false,
            handler: Rc::new(move |args| Box::pin(handler(args))),
        }
    }

    /// The slug the backend gives a standalone custom tool: `LOCAL_<SLUG>` (wire §6.2).
    pub fn final_slug(&self) -> String {
        format!("LOCAL_{}", self.slug.to_ascii_uppercase())
    }

    /// Checks the slug, name, description and schema rules of wire §6.1.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |m: &str| Err(Error::InvalidRequest(format!("custom tool {m}")));
        let slug = &self.slug;
        if slug.is_empty()
            || !slug
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return bad("slug must be non-empty and use only letters, digits, _ and -");
        }
        let upper = slug.to_ascii_uppercase();
        if upper.starts_with("LOCAL_") || upper.starts_with("COMPOSIO_") {
            return bad("slug must not start with LOCAL_ or COMPOSIO_");
        }
        if self.final_slug().len() > 60 {
            return bad("slug is too long (LOCAL_<slug> must be at most 60 characters)");
        }
        if !(1..=128).contains(&crate::encoding::char_count(&self.name)) {
            return bad("name must have 1 to 128 characters");
        }
        if !(1..=5120).contains(&crate::encoding::char_count(&self.description)) {
            return bad("description must have 1 to 5120 characters");
        }
        match &self.input_schema {
            Value::Object(o)
                if o.get("type").is_none_or(|t| t == "object")
                    && o.get("properties").is_none_or(Value::is_object) => {}
            _ => return bad("input schema must be a JSON Schema object of type object"),
        }
        Ok(())
    }

    /// The input schema normalized as the SDK sends it: `{"type":"object","properties":{…},
    /// "required"?:[…]}` plus any other keywords, without `$schema`.
    pub fn normalized_schema(&self) -> Value {
        let mut o = match &self.input_schema {
            Value::Object(o) => o.clone(),
            _ => crate::wire::json::new_map(),
        };
        o.remove("$schema");
        crate::wire::json::put(&mut o, "type", json!("object"));
        o.entry("properties").or_insert_with(|| json!({}));
        Value::Object(o)
    }

    /// A tool from its JSON definition, as the browser registers it or as `custom_tools`
    /// carries it: `{slug, name?, description?, inputSchema | input_schema?, preload?}`. The
    /// handler fails: the caller runs the tool elsewhere (the browser) or only lists it (the
    /// gateway). Call [`validate`](Self::validate) before using it.
    ///
    /// ```
    /// use composio_edge::edge::LocalTool;
    /// let t = LocalTool::from_json(&composio_edge::json!({"slug": "grep", "preload": true})).unwrap();
    /// assert_eq!((t.final_slug().as_str(), t.name.as_str(), t.preload), ("LOCAL_GREP", "grep", true));
    /// assert!(LocalTool::from_json(&composio_edge::json!({"slug": 7})).is_err());
    /// ```
    pub fn from_json(v: &Value) -> Result<LocalTool, Error> {
        let text = |k: &str| v.get(k).and_then(Value::as_str);
        let slug = text("slug")
            .ok_or_else(|| Error::InvalidRequest("custom tool slug must be a string".into()))?;
        let mut t = LocalTool::new(
            slug,
            text("description").unwrap_or(""),
            v.get("inputSchema")
                .or_else(|| v.get("input_schema"))
                .cloned()
                .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            |_| std::future::ready(Err(String::new())),
        );
        if let Some(n) = text("name").filter(|n| !n.is_empty()) {
            t.name = n.to_owned();
        }
        t.preload = v.get("preload").and_then(Value::as_bool).unwrap_or(false);
        Ok(t)
    }

    /// The inline definition of wire §6.3 (`preload` only when `true`).
    pub fn to_wire(&self) -> Value {
        let mut v = json!({
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "input_schema": self.normalized_schema(),
        });
        if self.preload {
            crate::wire::json::set(&mut v, "preload", Value::Bool(true));
        }
        v
    }

    /// The tool as `GET …/tools` lists a preloaded custom tool (wire §6.5, snake_case wire names).
    pub fn to_listed_tool(&self) -> crate::wire::Tool {
        crate::wire::Tool {
            slug: self.final_slug(),
            name: self.name.clone(),
            description: format!(
                "[Direct tool - call directly, no search needed beforehand.]\n{}",
                self.description
            ),
            toolkit: Some(crate::wire::ToolkitRef {
                slug: "custom".into(),
                name: "Custom".into(),
                logo: None,
            }),
            input_parameters: self.normalized_schema(),
            no_auth: true,
            ..Default::default()
        }
    }
}

/// The registry of local tools of one client.
#[derive(Debug, Default)]
pub struct LocalTools {
    tools: RefCell<Vec<LocalTool>>,
}

impl LocalTools {
    /// Adds (or replaces, by slug) a tool after checking it.
    pub fn register(&self, tool: LocalTool) -> Result<(), Error> {
        tool.validate()?;
        let mut tools = self.tools.borrow_mut();
        tools.retain(|t| !t.slug.eq_ignore_ascii_case(&tool.slug));
        tools.push(tool);
        Ok(())
    }

    /// Removes a tool; `true` if it was registered.
    pub fn unregister(&self, slug: &str) -> bool {
        let mut tools = self.tools.borrow_mut();
        let before = tools.len();
        tools.retain(|t| !(t.slug.eq_ignore_ascii_case(slug) || t.final_slug() == slug));
        before != tools.len()
    }

    /// Whether no tool is registered.
    pub fn is_empty(&self) -> bool {
        self.tools.borrow().is_empty()
    }

    /// Every tool, in registration order.
    pub fn all(&self) -> Vec<LocalTool> {
        self.tools.borrow().clone()
    }

    /// The tool a slug names: its final slug (`LOCAL_GREP`) or its original slug (`GREP`),
    /// case-insensitively (wire §6.2).
    pub fn find(&self, slug: &str) -> Option<LocalTool> {
        let upper = slug.trim().to_ascii_uppercase();
        self.tools
            .borrow()
            .iter()
            .find(|t| t.final_slug() == upper || t.slug.to_ascii_uppercase() == upper)
            .cloned()
    }

    /// `custom_tools` as sent inline on search and execute; `None` when there are none.
    pub fn wire(&self) -> Option<Value> {
        let tools = self.tools.borrow();
        (!tools.is_empty()).then(|| Value::Array(tools.iter().map(LocalTool::to_wire).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(slug: &str) -> LocalTool {
        LocalTool::new(
            slug,
            "d",
            json!({"type": "object", "properties": {"q": {"type": "string"}}, "$schema": "x"}),
            |a| async move { Ok(a) },
        )
    }

    #[test]
    fn slug_rules_of_the_wire_are_enforced() {
        assert!(tool("GREP").validate().is_ok());
        for bad in ["", "local_x", "COMPOSIO_X", "a b", &"X".repeat(60)] {
            assert!(tool(bad).validate().is_err(), "{bad:?} accepted");
        }
        let mut t = tool("X");
        t.input_schema = json!({"type": "string"});
        assert!(t.validate().is_err());
    }

    #[test]
    fn lookup_accepts_final_and_original_slugs_case_insensitively() {
        let reg = LocalTools::default();
        reg.register(tool("grep")).unwrap();
        assert_eq!(reg.find("LOCAL_GREP").unwrap().slug, "grep");
        assert_eq!(reg.find("local_grep").unwrap().slug, "grep");
        assert_eq!(reg.find("GREP").unwrap().slug, "grep");
        assert!(reg.find("GMAIL_SEND_EMAIL").is_none());
        reg.register(tool("GREP")).unwrap();
        assert_eq!(reg.all().len(), 1, "re-registering replaces");
        assert!(reg.unregister("LOCAL_GREP"));
        assert!(reg.wire().is_none());
    }

    #[test]
    fn wire_form_strips_schema_marker_and_omits_false_preload() {
        let reg = LocalTools::default();
        reg.register(tool("GREP")).unwrap();
        let w = reg.wire().unwrap();
        assert_eq!(
            w,
            json!([{"slug": "GREP", "name": "GREP", "description": "d",
                "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}])
        );
    }
}
