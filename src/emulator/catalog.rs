//! The emulator's built-in catalog: toolkits, app tools and the Tool Router meta tools.
//!
//! Tool schemas are written in a compact parameter notation (see [`schema_from_spec`]) so the
//! catalog stays small inside the Worker's wasm.

use crate::json;
use crate::json::{Map, Value};

/// How a toolkit authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Composio-managed OAuth 2.
    OAuth2,
    /// An API key the user pastes on the connect page.
    ApiKey,
    /// No connected account needed.
    None,
}

impl Auth {
    /// The wire name of the scheme (`OAUTH2`, `API_KEY`), `None` for no-auth toolkits.
    pub fn scheme(self) -> Option<&'static str> {
        match self {
            Auth::OAuth2 => Some("OAUTH2"),
            Auth::ApiKey => Some("API_KEY"),
            Auth::None => None,
        }
    }
}

/// A toolkit of the catalog.
#[derive(Clone, Copy, Debug)]
pub struct Toolkit {
    /// Slug, e.g. `gmail`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// How it authenticates.
    pub auth: Auth,
    /// One-line description.
    pub description: &'static str,
}

impl Toolkit {
    /// Logo URL.
    pub fn logo(&self) -> String {
        format!("https://logos.composio.dev/api/{}", self.slug)
    }
    /// `true` when no connected account is needed.
    pub fn no_auth(&self) -> bool {
        self.auth == Auth::None
    }
    /// The emulator's (single, Composio-managed) auth config id for this toolkit.
    pub fn auth_config_id(&self) -> String {
        format!("ac_{}", self.slug)
    }
}

/// An app tool of the catalog.
#[derive(Clone, Copy, Debug)]
pub struct ToolDef {
    /// Slug, e.g. `GMAIL_SEND_EMAIL`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Toolkit slug.
    pub toolkit: &'static str,
    /// Tag letters: `R` readOnlyHint, `D` destructiveHint, `I` idempotentHint, `O` openWorldHint.
    pub tags: &'static str,
    /// LLM-facing description.
    pub description: &'static str,
    /// Input parameters in the compact notation.
    pub input: &'static str,
    /// Output `data` properties in the compact notation.
    pub output: &'static str,
}

/// The catalog version every app tool reports.
pub const TOOL_VERSION: &str = "20260401_00";

/// Every toolkit.
pub const TOOLKITS: &[Toolkit] = &[
    Toolkit {
        slug: "gmail",
        name: "Gmail",
        auth: Auth::OAuth2,
        description: "Send, read and organise email in a Gmail mailbox",
    },
    Toolkit {
        slug: "github",
        name: "GitHub",
        auth: Auth::OAuth2,
        description: "Issues, comments, repositories and stars on GitHub",
    },
    Toolkit {
        slug: "slack",
        name: "Slack",
        auth: Auth::OAuth2,
        description: "Post and read messages in Slack channels",
    },
    Toolkit {
        slug: "notion",
        name: "Notion",
        auth: Auth::OAuth2,
        description: "Create, search and edit Notion pages",
    },
    Toolkit {
        slug: "googlecalendar",
        name: "Google Calendar",
        auth: Auth::OAuth2,
        description: "Create, list and manage Google Calendar events",
    },
    Toolkit {
        slug: "linear",
        name: "Linear",
        auth: Auth::ApiKey,
        description: "Track issues and teams in Linear",
    },
    Toolkit {
        slug: "hackernews",
        name: "Hacker News",
        auth: Auth::None,
        description: "Read stories, items and users from Hacker News",
    },
    Toolkit {
        slug: "weathermap",
        name: "Weather Map",
        auth: Auth::None,
        description: "Current weather and forecasts for any city",
    },
];

const TOOL_DEFS: &[ToolDef] = &[
    // gmail
    ToolDef { slug: "GMAIL_SEND_EMAIL", name: "Send Email", toolkit: "gmail", tags: "O",
        description: "Send an email message from the connected Gmail account to one or more recipients.",
        input: "recipient_email:e!:Email address of the primary recipient|subject:s:Subject line of the email|body:s!:Body of the email, plain text or HTML|cc:as:Addresses to copy|bcc:as:Addresses to blind copy|is_html:b=false:Whether body is HTML",
        output: "id:s:Message id|threadId:s:Thread id|labelIds:as:Labels of the sent message" },
    ToolDef { slug: "GMAIL_FETCH_EMAILS", name: "Fetch Emails", toolkit: "gmail", tags: "RI",
        description: "Fetch emails from the mailbox (inbox, sent mail/outbox, drafts), newest first, optionally filtered by a search query or label.",
        input: "query:s:Text to search for in sender, recipient, subject and body|label_ids:as:Only messages with one of these labels (INBOX, SENT, DRAFT)|max_results:i(1..500)=10:Maximum number of messages to return|include_payload:b=true:Include the message body",
        output: "messages:ao:Messages, newest first|resultSizeEstimate:i:Number of messages matched" },
    ToolDef { slug: "GMAIL_CREATE_EMAIL_DRAFT", name: "Create Email Draft", toolkit: "gmail", tags: "",
        description: "Create an email draft without sending it.",
        input: "recipient_email:e!:Email address of the recipient|subject:s:Subject line|body:s!:Body of the draft|cc:as:Addresses to copy",
        output: "id:s:Draft id|message:o:The draft message" },
    ToolDef { slug: "GMAIL_LIST_DRAFTS", name: "List Drafts", toolkit: "gmail", tags: "RI",
        description: "List the email drafts of the mailbox.",
        input: "max_results:i(1..500)=10:Maximum number of drafts to return",
        output: "drafts:ao:Drafts, newest first" },
    ToolDef { slug: "GMAIL_GET_PROFILE", name: "Get Profile", toolkit: "gmail", tags: "RI",
        description: "Get the email address and message counts of the connected Gmail account.",
        input: "",
        output: "emailAddress:s:Mailbox address|messagesTotal:i:Messages in the mailbox|threadsTotal:i:Threads in the mailbox" },
    ToolDef { slug: "GMAIL_LIST_LABELS", name: "List Labels", toolkit: "gmail", tags: "RI",
        description: "List the labels (folders) of the mailbox.",
        input: "",
        output: "labels:ao:Labels with id, name and type" },
    ToolDef { slug: "GMAIL_DELETE_MESSAGE", name: "Delete Message", toolkit: "gmail", tags: "DI",
        description: "Permanently delete an email message by id.",
        input: "message_id:s!:Id of the message to delete",
        output: "id:s:Id of the deleted message|deleted:b:Whether it was deleted" },
    // github
    ToolDef { slug: "GITHUB_CREATE_AN_ISSUE", name: "Create an issue", toolkit: "github", tags: "O",
        description: "Create a new issue in a GitHub repository, with optional labels and assignees.",
        input: "owner:s!:Account owner of the repository|repo:s!:Name of the repository|title:s!:Title of the issue|body:s:Contents of the issue|labels:as:Labels to add|assignees:as:Logins to assign",
        output: "number:i:Issue number|id:i:Issue id|title:s:Title|state:s:open or closed|html_url:s:Link to the issue" },
    ToolDef { slug: "GITHUB_LIST_ISSUES", name: "List repository issues", toolkit: "github", tags: "RIO",
        description: "List the issues of a GitHub repository, filtered by state and labels.",
        input: "owner:s!:Account owner of the repository|repo:s!:Name of the repository|state:s(open/closed/all)=open:Issue state to list|labels:s:Comma-separated label names|per_page:i(1..100)=30:Results per page|page:i(1..1000)=1:Page number",
        output: "issues:ao:Issues, newest first" },
    ToolDef { slug: "GITHUB_GET_AN_ISSUE", name: "Get an issue", toolkit: "github", tags: "RIO",
        description: "Get one issue of a GitHub repository by number.",
        input: "owner:s!:Account owner of the repository|repo:s!:Name of the repository|issue_number:i!:Issue number",
        output: "number:i:Issue number|title:s:Title|body:s:Body|state:s:State|comments:ao:Comments" },
    ToolDef { slug: "GITHUB_UPDATE_AN_ISSUE", name: "Update an issue", toolkit: "github", tags: "IO",
        description: "Update the title, body or state of a GitHub issue; set state to closed to close it.",
        input: "owner:s!:Account owner of the repository|repo:s!:Name of the repository|issue_number:i!:Issue number|title:s:New title|body:s:New body|state:s(open/closed):New state",
        output: "number:i:Issue number|title:s:Title|state:s:State" },
    ToolDef { slug: "GITHUB_CREATE_AN_ISSUE_COMMENT", name: "Create an issue comment", toolkit: "github", tags: "O",
        description: "Add a comment to a GitHub issue or pull request.",
        input: "owner:s!:Account owner of the repository|repo:s!:Name of the repository|issue_number:i!:Issue number|body:s!:Comment text",
        output: "id:i:Comment id|body:s:Comment text|html_url:s:Link to the comment" },
    ToolDef { slug: "GITHUB_GET_THE_AUTHENTICATED_USER", name: "Get the authenticated user", toolkit: "github", tags: "RIO",
        description: "Get the profile of the GitHub user behind the connected account.",
        input: "",
        output: "login:s:Login|id:i:User id|name:s:Display name|html_url:s:Profile link" },
    ToolDef { slug: "GITHUB_LIST_REPOSITORIES_FOR_THE_AUTHENTICATED_USER", name: "List repositories for the authenticated user", toolkit: "github", tags: "RIO",
        description: "List the repositories the authenticated GitHub user owns.",
        input: "per_page:i(1..100)=30:Results per page|sort:s(created/updated/pushed/full_name)=full_name:Sort order",
        output: "repositories:ao:Repositories" },
    ToolDef { slug: "GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER", name: "Star a repository", toolkit: "github", tags: "IO",
        description: "Star a GitHub repository for the authenticated user.",
        input: "owner:s!:Account owner of the repository|repo:s!:Name of the repository",
        output: "starred:b:Whether the repository is now starred|full_name:s:owner/repo" },
    // slack
    ToolDef { slug: "SLACK_SEND_MESSAGE", name: "Send message", toolkit: "slack", tags: "O",
        description: "Post a message to a Slack channel, optionally as a reply in a thread.",
        input: "channel:s!:Channel name (general) or id|text:s!:Message text (mrkdwn)|thread_ts:s:Timestamp of the parent message to reply in a thread",
        output: "ok:b:Whether it was posted|channel:s:Channel id|ts:s:Message timestamp|message:o:The posted message" },
    ToolDef { slug: "SLACK_FETCH_CONVERSATION_HISTORY", name: "Fetch conversation history", toolkit: "slack", tags: "RIO",
        description: "List the messages of a Slack channel, newest first.",
        input: "channel:s!:Channel name or id|limit:i(1..1000)=100:Maximum number of messages|oldest:s:Only messages after this timestamp",
        output: "ok:b:Whether it succeeded|messages:ao:Messages, newest first" },
    ToolDef { slug: "SLACK_LIST_ALL_CHANNELS", name: "List all channels", toolkit: "slack", tags: "RIO",
        description: "List the channels of the Slack workspace.",
        input: "limit:i(1..1000)=100:Maximum number of channels|exclude_archived:b=true:Skip archived channels",
        output: "ok:b:Whether it succeeded|channels:ao:Channels" },
    ToolDef { slug: "SLACK_CREATE_CHANNEL", name: "Create channel", toolkit: "slack", tags: "O",
        description: "Create a public or private Slack channel.",
        input: "name:s!:Channel name, lowercase without spaces|is_private:b=false:Create a private channel",
        output: "ok:b:Whether it was created|channel:o:The new channel" },
    ToolDef { slug: "SLACK_ADD_REACTION_TO_AN_ITEM", name: "Add reaction", toolkit: "slack", tags: "IO",
        description: "Add an emoji reaction to a Slack message.",
        input: "channel:s!:Channel name or id|timestamp:s!:Timestamp of the message|name:s!:Emoji name without colons, e.g. thumbsup",
        output: "ok:b:Whether the reaction was added" },
    ToolDef { slug: "SLACK_FIND_USERS", name: "Find users", toolkit: "slack", tags: "RIO",
        description: "Find Slack workspace members by name or email.",
        input: "query:s!:Name or email to search for",
        output: "ok:b:Whether it succeeded|members:ao:Matching members" },
    // notion
    ToolDef { slug: "NOTION_CREATE_NOTION_PAGE", name: "Create Notion page", toolkit: "notion", tags: "O",
        description: "Create a new page in Notion with a title and optional markdown content.",
        input: "title:s!:Page title|parent_id:s:Id of the parent page|content:s:Initial page content (markdown)|icon:s:Emoji icon",
        output: "id:s:Page id|url:s:Page link|title:s:Page title|created_time:t:Creation time" },
    ToolDef { slug: "NOTION_SEARCH_NOTION_PAGE", name: "Search Notion pages", toolkit: "notion", tags: "RIO",
        description: "Search Notion pages and databases by title and content.",
        input: "query:s=:Text to search for; empty lists everything|filter_value:s(page/database):Only this object type|page_size:i(1..100)=10:Maximum number of results",
        output: "results:ao:Matching pages" },
    ToolDef { slug: "NOTION_FETCH_NOTION_PAGE", name: "Fetch Notion page", toolkit: "notion", tags: "RIO",
        description: "Get a Notion page with its content.",
        input: "page_id:s!:Page id",
        output: "id:s:Page id|title:s:Title|content:s:Content|archived:b:Whether it is archived" },
    ToolDef { slug: "NOTION_ADD_PAGE_CONTENT", name: "Add page content", toolkit: "notion", tags: "O",
        description: "Append a paragraph of content to an existing Notion page.",
        input: "page_id:s!:Page id|content:s!:Text to append",
        output: "id:s:Page id|content:s:The whole content" },
    ToolDef { slug: "NOTION_ARCHIVE_NOTION_PAGE", name: "Archive Notion page", toolkit: "notion", tags: "DIO",
        description: "Archive (move to trash) a Notion page.",
        input: "page_id:s!:Page id",
        output: "id:s:Page id|archived:b:Whether it is archived" },
    // googlecalendar
    ToolDef { slug: "GOOGLECALENDAR_CREATE_EVENT", name: "Create Event", toolkit: "googlecalendar", tags: "O",
        description: "Create a Google Calendar event (meeting, appointment) with a start time, duration and attendees.",
        input: "summary:s!:Event title|start_datetime:t!:Start time, RFC 3339 (2026-11-23T10:00:00Z)|end_datetime:t:End time; defaults to start plus duration|event_duration_minutes:i(1..1440)=30:Duration in minutes|attendees:as:Attendee email addresses|description:s:Event description|location:s:Location|calendar_id:s=primary:Calendar id",
        output: "id:s:Event id|summary:s:Title|start:o:Start|end:o:End|htmlLink:s:Link to the event" },
    ToolDef { slug: "GOOGLECALENDAR_EVENTS_LIST", name: "List Events", toolkit: "googlecalendar", tags: "RIO",
        description: "List Google Calendar events in a time window, ordered by start time, optionally matching a text query.",
        input: "time_min:t:Lower bound (RFC 3339) of event end|time_max:t:Upper bound (RFC 3339) of event start|q:s:Free-text search in title, description and location|max_results:i(1..2500)=50:Maximum number of events|calendar_id:s=primary:Calendar id",
        output: "items:ao:Events ordered by start time" },
    ToolDef { slug: "GOOGLECALENDAR_UPDATE_EVENT", name: "Update Event", toolkit: "googlecalendar", tags: "IO",
        description: "Change the title, time or description of a Google Calendar event.",
        input: "event_id:s!:Event id|summary:s:New title|start_datetime:t:New start time|end_datetime:t:New end time|description:s:New description",
        output: "id:s:Event id|summary:s:Title|start:o:Start|end:o:End" },
    ToolDef { slug: "GOOGLECALENDAR_DELETE_EVENT", name: "Delete Event", toolkit: "googlecalendar", tags: "DIO",
        description: "Delete a Google Calendar event by id.",
        input: "event_id:s!:Event id|calendar_id:s=primary:Calendar id",
        output: "id:s:Event id|deleted:b:Whether it was deleted" },
    ToolDef { slug: "GOOGLECALENDAR_FIND_FREE_SLOTS", name: "Find free slots", toolkit: "googlecalendar", tags: "RIO",
        description: "Find free and busy periods of the calendar between two times.",
        input: "time_min:t!:Start of the window (RFC 3339)|time_max:t!:End of the window (RFC 3339)",
        output: "busy:ao:Busy periods|free:ao:Free periods" },
    // linear
    ToolDef { slug: "LINEAR_CREATE_LINEAR_ISSUE", name: "Create Linear issue", toolkit: "linear", tags: "O",
        description: "Create an issue in a Linear team with a title, description and priority.",
        input: "team_id:s!:Team id (see LINEAR_LIST_LINEAR_TEAMS)|title:s!:Issue title|description:s:Markdown description|priority:i(0..4)=0:0 none, 1 urgent, 2 high, 3 medium, 4 low",
        output: "id:s:Issue id|identifier:s:Human identifier such as ENG-1|title:s:Title|state:s:Workflow state|url:s:Link" },
    ToolDef { slug: "LINEAR_LIST_LINEAR_ISSUES", name: "List Linear issues", toolkit: "linear", tags: "RIO",
        description: "List Linear issues, optionally of one team or in one workflow state.",
        input: "team_id:s:Only issues of this team|state:s(Todo/In Progress/Done/Canceled):Only issues in this state|first:i(1..250)=50:Maximum number of issues",
        output: "issues:ao:Issues, newest first" },
    ToolDef { slug: "LINEAR_GET_LINEAR_ISSUE", name: "Get Linear issue", toolkit: "linear", tags: "RIO",
        description: "Get one Linear issue by id or identifier.",
        input: "issue_id:s!:Issue id or identifier (ENG-1)",
        output: "id:s:Issue id|identifier:s:Identifier|title:s:Title|state:s:State|priority:i:Priority" },
    ToolDef { slug: "LINEAR_UPDATE_ISSUE", name: "Update Linear issue", toolkit: "linear", tags: "IO",
        description: "Update the title, state or priority of a Linear issue.",
        input: "issue_id:s!:Issue id or identifier|title:s:New title|state:s(Todo/In Progress/Done/Canceled):New state|priority:i(0..4):New priority",
        output: "id:s:Issue id|identifier:s:Identifier|title:s:Title|state:s:State|priority:i:Priority" },
    ToolDef { slug: "LINEAR_LIST_LINEAR_TEAMS", name: "List Linear teams", toolkit: "linear", tags: "RIO",
        description: "List the teams of the Linear workspace with their ids and keys.",
        input: "",
        output: "teams:ao:Teams with id, key and name" },
    // hackernews
    ToolDef { slug: "HACKERNEWS_GET_TOP_STORIES", name: "Get top stories", toolkit: "hackernews", tags: "RIO",
        description: "Get the current top stories on Hacker News.",
        input: "limit:i(1..30)=10:Number of stories",
        output: "stories:ao:Stories with id, title, url, score and author" },
    ToolDef { slug: "HACKERNEWS_GET_ITEM_WITH_ID", name: "Get item", toolkit: "hackernews", tags: "RIO",
        description: "Get a Hacker News story or comment by id.",
        input: "id:i!:Item id",
        output: "id:i:Item id|type:s:story or comment|title:s:Title|by:s:Author|score:i:Points|url:s:Link" },
    ToolDef { slug: "HACKERNEWS_SEARCH_POSTS", name: "Search posts", toolkit: "hackernews", tags: "RIO",
        description: "Search Hacker News stories by keywords.",
        input: "query:s!:Keywords|limit:i(1..30)=10:Maximum number of results",
        output: "hits:ao:Matching stories" },
    ToolDef { slug: "HACKERNEWS_GET_USER", name: "Get user", toolkit: "hackernews", tags: "RIO",
        description: "Get a Hacker News user's karma and profile.",
        input: "username:s!:User name",
        output: "id:s:User name|karma:i:Karma|created:i:Creation time (Unix seconds)|about:s:About text" },
    // weathermap
    ToolDef { slug: "WEATHERMAP_GET_CURRENT_WEATHER", name: "Get current weather", toolkit: "weathermap", tags: "RIO",
        description: "Get the current weather (temperature, conditions, humidity, wind) for a city.",
        input: "location:s!:City name, optionally with country (Paris, FR)|units:s(metric/imperial)=metric:Units of measurement",
        output: "location:s:Resolved location|temperature:n:Temperature|conditions:s:Sky conditions|humidity:i:Relative humidity in percent|wind_speed:n:Wind speed" },
    ToolDef { slug: "WEATHERMAP_GET_FORECAST", name: "Get weather forecast", toolkit: "weathermap", tags: "RIO",
        description: "Get a daily weather forecast for a city for the next days.",
        input: "location:s!:City name, optionally with country|days:i(1..7)=3:Number of days|units:s(metric/imperial)=metric:Units of measurement",
        output: "location:s:Resolved location|days:ao:Daily forecasts with date, min, max and conditions" },
];

/// Every app tool.
pub fn tools() -> &'static [ToolDef] {
    TOOL_DEFS
}

/// The toolkit with this slug (case-insensitive).
pub fn toolkit(slug: &str) -> Option<&'static Toolkit> {
    TOOLKITS.iter().find(|t| t.slug.eq_ignore_ascii_case(slug))
}

/// The app tool with this slug (case-insensitive).
pub fn tool(slug: &str) -> Option<&'static ToolDef> {
    TOOL_DEFS.iter().find(|t| t.slug.eq_ignore_ascii_case(slug))
}

/// The tag names of a tag-letter string.
pub fn tag_names(letters: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (l, name) in [
        ('R', "readOnlyHint"),
        ('D', "destructiveHint"),
        ('I', "idempotentHint"),
        ('O', "openWorldHint"),
    ] {
        if letters.contains(l) {
            out.push(name.to_owned());
        }
    }
    out
}

/// Builds an object JSON Schema from the compact notation: parameters separated by `|`, each
/// `name:type[!][=default]:description` where type is `s`, `i`, `n`, `b`, `o`, `t` (date-time
/// string), `e` (email string), `as`/`ai`/`ao` (arrays), `s(a/b)` (enum) or `i(1..9)` (range);
/// `!` marks a required parameter.
///
/// ```
/// use composio_edge::emulator::catalog::schema_from_spec;
/// let s = schema_from_spec("to:e!:Recipient|n:i(1..9)=3:Count");
/// assert_eq!(s["required"], composio_edge::json!(["to"]));
/// assert_eq!(s["properties"]["n"]["maximum"], 9);
/// assert_eq!(s["properties"]["n"]["default"], 3);
/// ```
pub fn schema_from_spec(spec: &str) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for param in spec.split('|').filter(|p| !p.trim().is_empty()) {
        let mut parts = param.splitn(3, ':');
        let name = parts.next().unwrap_or_default().trim();
        let mut ty = parts.next().unwrap_or("s").trim();
        let description = parts.next().unwrap_or_default().trim();
        let mut default = None;
        if let Some((t, d)) = ty.split_once('=') {
            ty = t;
            default = Some(d);
        }
        if let Some(t) = ty.strip_suffix('!') {
            ty = t;
            required.push(Value::String(name.to_owned()));
        }
        let (base, extra) = match ty.split_once('(') {
            Some((b, rest)) => (b, rest.trim_end_matches(')')),
            None => (ty, ""),
        };
        let mut p = Map::new();
        let json_type = match base {
            "i" => "integer",
            "n" => "number",
            "b" => "boolean",
            "o" => "object",
            "as" | "ai" | "ao" => "array",
            _ => "string",
        };
        p.insert("type".into(), json!(json_type));
        p.insert("description".into(), json!(description));
        p.insert("title".into(), json!(title_case(name)));
        match base {
            "t" => {
                p.insert("format".into(), json!("date-time"));
            }
            "e" => {
                p.insert("format".into(), json!("email"));
            }
            "as" => {
                p.insert("items".into(), json!({"type": "string"}));
            }
            "ai" => {
                p.insert("items".into(), json!({"type": "integer"}));
            }
            "ao" => {
                p.insert(
                    "items".into(),
                    json!({"type": "object", "additionalProperties": true}),
                );
            }
            "o" => {
                p.insert("additionalProperties".into(), json!(true));
            }
            _ => {}
        }
        if !extra.is_empty() {
            if let Some((lo, hi)) = extra.split_once("..") {
                if let (Ok(lo), Ok(hi)) = (lo.parse::<i64>(), hi.parse::<i64>()) {
                    p.insert("minimum".into(), json!(lo));
                    p.insert("maximum".into(), json!(hi));
                }
            } else {
                let values: Vec<&str> = extra.split('/').collect();
                p.insert("enum".into(), json!(values));
            }
        }
        if let Some(d) = default {
            let v = match json_type {
                "integer" => d.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
                "number" => d.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
                "boolean" => Value::Bool(d == "true"),
                _ => Value::String(d.to_owned()),
            };
            p.insert("default".into(), v);
        }
        props.insert(name.to_owned(), Value::Object(p));
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    Value::Object(schema)
}

fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Compiled {
    input: Value,
    output: Value,
}

/// The schemas of every app tool, built once per isolate.
fn compiled() -> &'static [Compiled] {
    static C: std::sync::OnceLock<Vec<Compiled>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        TOOL_DEFS
            .iter()
            .map(|d| Compiled {
                input: schema_from_spec(d.input),
                output: d.build_output_schema(),
            })
            .collect()
    })
}

static NULL: Value = Value::Null;

impl ToolDef {
    fn compiled(&self) -> Option<&'static Compiled> {
        let i = TOOL_DEFS.iter().position(|d| d.slug == self.slug)?;
        compiled().get(i)
    }
    /// JSON Schema of the arguments.
    pub fn input_schema(&self) -> &'static Value {
        self.compiled().map(|c| &c.input).unwrap_or(&NULL)
    }
    /// JSON Schema of the result (`{data, error, successful}`).
    pub fn output_schema(&self) -> &'static Value {
        self.compiled().map(|c| &c.output).unwrap_or(&NULL)
    }
    fn build_output_schema(&self) -> Value {
        let mut data = schema_from_spec(self.output);
        if let Some(o) = data.as_object_mut() {
            o.insert("title".into(), json!("Data"));
        }
        json!({
            "type": "object",
            "properties": {
                "data": data,
                "error": {"type": ["string", "null"], "description": "Error message, null on success"},
                "successful": {"type": "boolean", "description": "Whether the call succeeded"}
            },
            "required": ["data", "successful"]
        })
    }
    /// Tag names.
    pub fn tags(&self) -> Vec<String> {
        tag_names(self.tags)
    }
    /// The toolkit.
    pub fn toolkit(&self) -> Option<&'static Toolkit> {
        toolkit(self.toolkit)
    }
    /// OAuth scopes (illustrative).
    pub fn scopes(&self) -> Vec<String> {
        let read_only = self.tags.contains('R');
        let s = match (self.toolkit, read_only) {
            ("gmail", true) => "https://www.googleapis.com/auth/gmail.readonly",
            ("gmail", false) => "https://www.googleapis.com/auth/gmail.modify",
            ("googlecalendar", true) => "https://www.googleapis.com/auth/calendar.readonly",
            ("googlecalendar", false) => "https://www.googleapis.com/auth/calendar.events",
            ("github", _) => "repo",
            ("slack", true) => "channels:history",
            ("slack", false) => "chat:write",
            _ => return Vec::new(),
        };
        vec![s.to_owned()]
    }

    /// The full wire `Tool` object (§4.1).
    pub fn to_wire(&self) -> Value {
        let tk = self.toolkit();
        let logo = tk.map(|t| t.logo()).unwrap_or_default();
        let tk_name = tk.map(|t| t.name).unwrap_or(self.toolkit);
        json!({
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "human_description": self.description,
            "toolkit": {"slug": self.toolkit, "name": tk_name, "logo": logo},
            "input_parameters": self.input_schema(),
            "output_parameters": self.output_schema(),
            "no_auth": tk.is_some_and(|t| t.no_auth()),
            "available_versions": [TOOL_VERSION],
            "version": TOOL_VERSION,
            "scopes": self.scopes(),
            "scope_requirements": null,
            "tags": self.tags(),
            "is_deprecated": false,
            "deprecated": {
                "displayName": self.name,
                "version": TOOL_VERSION,
                "available_versions": [TOOL_VERSION],
                "is_deprecated": false,
                "toolkit": {"logo": logo}
            }
        })
    }
}

/// Slugs of the meta tools, in the order `tool_router_tools` lists them.
pub const META_TOOLS: &[&str] = &[
    "COMPOSIO_MULTI_EXECUTE_TOOL",
    "COMPOSIO_REMOTE_WORKBENCH",
    "COMPOSIO_SEARCH_TOOLS",
    "COMPOSIO_GET_TOOL_SCHEMAS",
    "COMPOSIO_REMOTE_BASH_TOOL",
    "COMPOSIO_MANAGE_CONNECTIONS",
    "COMPOSIO_WAIT_FOR_CONNECTIONS",
];

const META_JSON: &str = r#"{
"COMPOSIO_SEARCH_TOOLS":["Search Tools","ROI","Discover the tools that can accomplish a task. Call this first with one query per use case; it returns the best matching tool slugs with their input schemas, connection status per toolkit and an execution plan. Pass session.generate_id=true for a new workflow, then reuse the returned session.id as session_id in later meta tool calls.",
 {"title":"SearchToolsRequest","type":"object","required":["queries"],"properties":{"queries":{"type":"array","minItems":1,"maxItems":7,"description":"One entry per use case","items":{"type":"object","required":["use_case"],"properties":{"use_case":{"type":"string","maxLength":1024,"description":"What the tool should do, in plain language"},"known_fields":{"type":"string","maxLength":500,"description":"Known inputs as key:value pairs"}}}},"session":{"type":"object","properties":{"id":{"type":"string"},"generate_id":{"type":"boolean"}}},"model":{"type":"string"}}}],
"COMPOSIO_GET_TOOL_SCHEMAS":["Get Tool Schemas","RI","Get the complete input (and optionally output) schemas of tools by slug, for tools whose schema was not fully returned by search.",
 {"title":"GetToolSchemasRequest","type":"object","required":["tool_slugs"],"properties":{"tool_slugs":{"type":"array","items":{"type":"string","minLength":1}},"include":{"type":"array","items":{"type":"string","enum":["input_schema","output_schema"]},"default":["input_schema"]},"session_id":{"type":"string"}}}],
"COMPOSIO_MULTI_EXECUTE_TOOL":["Multi Execute Tool","DO","Execute up to 50 tools in one call, each with its own arguments. Every result is reported separately with its own error.",
 {"title":"MultiExecuteToolRequest","type":"object","required":["tools"],"properties":{"tools":{"type":"array","minItems":1,"maxItems":50,"items":{"type":"object","required":["tool_slug","arguments"],"properties":{"tool_slug":{"type":"string","minLength":1},"arguments":{"type":"object","additionalProperties":true},"account":{"type":"string","description":"Connected account id or alias"}}}},"thought":{"type":"string"},"sync_response_to_workbench":{"type":"boolean"},"current_step":{"type":"string"},"current_step_metric":{"type":"string"},"session_id":{"type":"string"}}}],
"COMPOSIO_MANAGE_CONNECTIONS":["Manage Connections","DO","Check or create the user's connections to toolkits. For a toolkit without an active connection it returns a redirect_url the user must open to connect.",
 {"title":"ManageConnectionsRequest","type":"object","required":["toolkits"],"properties":{"toolkits":{"type":"array","items":{"type":"string"}},"reinitiate_all":{"type":"boolean","default":false},"session_id":{"type":"string"}}}],
"COMPOSIO_WAIT_FOR_CONNECTIONS":["Wait For Connections","RI","Wait (up to 20 s) until the user finishes connecting the given toolkits, then report each status.",
 {"title":"WaitForConnectionRequest","type":"object","required":["toolkits"],"properties":{"toolkits":{"type":"array","minItems":1,"items":{"type":"string"}},"mode":{"type":"string","enum":["any","all"],"default":"any"},"session_id":{"type":"string"}}}],
"COMPOSIO_REMOTE_WORKBENCH":["Remote Workbench","DO","Run Python code in a persistent remote sandbox. Not available in the local emulator.",
 {"title":"RemoteWorkbenchRequest","type":"object","required":["code_to_execute"],"properties":{"code_to_execute":{"type":"string"},"thought":{"type":"string"},"current_step":{"type":"string"},"current_step_metric":{"type":"string"},"session_id":{"type":"string"}}}],
"COMPOSIO_REMOTE_BASH_TOOL":["Remote Bash Tool","DO","Run a bash command in the remote sandbox. Not available in the local emulator.",
 {"title":"RemoteBashToolInput","type":"object","required":["command"],"properties":{"command":{"type":"string"},"session_id":{"type":"string"}}}]
}"#;

/// The wire `Tool` object of a meta tool (`None` for an unknown slug).
pub fn meta_tool(slug: &str) -> Option<Value> {
    static M: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
    M.get_or_init(build_meta_tools)
        .get(&slug.to_ascii_uppercase())
        .cloned()
}

fn build_meta_tools() -> Map {
    let mut out = Map::new();
    let Ok(Value::Object(all)) = serde_json::from_str::<Value>(META_JSON) else {
        return out;
    };
    for (key, entry) in all {
        let Some(entry) = entry.as_array() else {
            continue;
        };
        let (Some(name), Some(letters), Some(description), Some(schema)) = (
            entry.first().and_then(Value::as_str),
            entry.get(1).and_then(Value::as_str),
            entry.get(2).and_then(Value::as_str),
            entry.get(3),
        ) else {
            continue;
        };
        let mut tags = vec!["important".to_owned()];
        tags.extend(tag_names(letters));
        let tool = json!({
            "slug": key,
            "name": name,
            "description": description,
            "human_description": description,
            "toolkit": {"slug": "composio", "name": "composio", "logo": "https://logos.composio.dev/api/composio"},
            "input_parameters": schema,
            "output_parameters": {"type": "object", "properties": {
                "data": {"type": "object", "additionalProperties": true},
                "error": {"type": ["string", "null"]},
                "successful": {"type": "boolean"}}, "required": ["data", "successful"]},
            "no_auth": true,
            "available_versions": [],
            "version": "latest",
            "scopes": [],
            "scope_requirements": null,
            "tags": tags,
            "is_deprecated": false,
            "deprecated": {"displayName": name, "version": "latest", "available_versions": [], "is_deprecated": false, "toolkit": {"logo": ""}}
        });
        out.insert(key, tool);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_big_enough_and_consistent() {
        assert!(TOOLKITS.len() >= 8);
        assert!(tools().len() >= 40, "{}", tools().len());
        for t in tools() {
            assert!(toolkit(t.toolkit).is_some(), "{}", t.slug);
            assert!(
                t.slug.starts_with(&t.toolkit.to_ascii_uppercase()),
                "{}",
                t.slug
            );
            assert_eq!(t.input_schema()["type"], "object");
        }
        for m in META_TOOLS {
            assert!(meta_tool(m).is_some(), "{m}");
        }
    }
}
