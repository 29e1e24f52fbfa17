//! The app tools' behaviour: deterministic, per-user state in the store
//! (`user/<uid>/<toolkit>`), ids and time from the runtime.

use crate::json;
use crate::json::{Map, Value};

use super::catalog::{ToolDef, Toolkit};
use super::connect::Account;
use super::{Ctx, Res};
use crate::encoding::encode_component;
use crate::runtime::Runtime;
use crate::store::Store;
use crate::transport::{days_from_civil, rfc3339};

/// Parses an RFC 3339 date-time (`2026-11-23T10:00:00Z`, fractional seconds and numeric
/// offsets allowed) into Unix milliseconds.
pub(crate) fn parse_rfc3339(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let mo: i64 = d.next()?.parse().ok()?;
    let da: i64 = d.next()?.parse().ok()?;
    if d.next().is_some()
        || !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
    {
        return None;
    }
    let (clock, offset_min) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if !time.contains(['+', '-']) {
        (time, 0i64) // no zone: UTC
    } else {
        let pos = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off.get(1..)?.split_once(':')?;
        (
            c,
            sign * (oh.parse::<i64>().ok()? * 60 + om.parse::<i64>().ok()?),
        )
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((h, f)) => (h, f),
        None => (clock, ""),
    };
    let mut t = hms.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let se: i64 = t.next().unwrap_or("0").parse().ok()?;
    if !(0..=23).contains(&h)
        || !(0..=59).contains(&mi)
        || !(0..=60).contains(&se)
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let ms: i64 = format!("{:0<3}", frac.get(..frac.len().min(3)).unwrap_or(""))
        .parse()
        .unwrap_or(0);
    let days = days_from_civil(y, mo, da);
    let total = ((days * 86_400 + h * 3600 + mi * 60 + se - offset_min * 60) * 1000) + ms;
    u64::try_from(total).ok()
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn s<'a>(a: &'a Map, k: &str) -> Option<&'a str> {
    a.get(k).and_then(Value::as_str)
}
fn int(a: &Map, k: &str) -> Option<i64> {
    a.get(k)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}
fn boolean(a: &Map, k: &str) -> Option<bool> {
    a.get(k).and_then(Value::as_bool)
}
fn strs(a: &Map, k: &str) -> Vec<String> {
    a.get(k)
        .and_then(Value::as_array)
        .map(|x| {
            x.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
fn limit(a: &Map, k: &str, default: i64) -> usize {
    int(a, k).unwrap_or(default).max(0) as usize
}
fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}
fn field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Sorts JSON values by an integer key (one sort instantiation for every list: size matters in
/// the Worker's wasm). Stable; `desc` puts the largest key first.
fn sort_values(v: &mut [Value], key: fn(&Value) -> i64, desc: bool) {
    v.sort_by_cached_key(|x| {
        if desc {
            key(x).saturating_neg()
        } else {
            key(x)
        }
    });
}

/// Takes a collection out of the state (put it back with `state.insert`).
fn take(state: &mut Map, name: &str) -> Vec<Value> {
    match state.remove(name) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

struct Env<'a> {
    now: u64,
    user_id: &'a str,
    id: &'a dyn Fn(&str) -> String,
}

impl Env<'_> {
    fn handle(&self) -> String {
        let h: String = self
            .user_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(39)
            .collect::<String>()
            .to_ascii_lowercase();
        if h.is_empty() {
            "user".into()
        } else {
            h
        }
    }
    fn email(&self) -> String {
        format!("{}@example.com", self.handle())
    }
}

/// Runs an app tool; `Ok(Err(msg))` is a tool-level failure.
pub(crate) async fn run<S: Store, R: Runtime>(
    ctx: &Ctx<'_, S, R>,
    user_id: &str,
    account: Option<&Account>,
    def: &ToolDef,
    args: &Map,
) -> Res<Result<Value, String>> {
    let _ = account;
    let key = format!("user/{}/{}", encode_component(user_id), def.toolkit);
    let stateful = !matches!(def.toolkit, "hackernews" | "weathermap");
    let mut state: Map = if stateful {
        ctx.get_json(&key).await?.unwrap_or_default()
    } else {
        Map::new()
    };
    let before = Value::Object(state.clone());
    let idf = |p: &str| ctx.new_id(p);
    let env = Env {
        now: ctx.now_ms(),
        user_id,
        id: &idf,
    };
    let out = match def.toolkit {
        "gmail" => gmail(def.slug, args, &mut state, &env),
        "github" => github(def.slug, args, &mut state, &env),
        "slack" => slack(def.slug, args, &mut state, &env),
        "notion" => notion(def.slug, args, &mut state, &env),
        "googlecalendar" => calendar(def.slug, args, &mut state, &env),
        "linear" => linear(def.slug, args, &mut state, &env),
        "hackernews" => hackernews(def.slug, args, &env),
        "weathermap" => weather(def.slug, args, &env),
        _ => Err(format!(
            "{} has no implementation in the emulator",
            def.slug
        )),
    };
    // Keep every collection bounded (newest entries win).
    for v in state.values_mut() {
        if let Value::Array(a) = v {
            if a.len() > MAX_ITEMS {
                a.drain(..a.len() - MAX_ITEMS);
            }
        }
    }
    if out.is_ok() && stateful && Value::Object(state.clone()) != before {
        if let Err(e) = ctx.put_json(&key, &state).await {
            if e.status == 413 {
                return Ok(Err(format!(
                    "{}: the emulated {} account is full; reset the emulator (POST /__emulator/reset)",
                    e.message, def.toolkit
                )));
            }
            return Err(e);
        }
    }
    Ok(out)
}

type Out = Result<Value, String>;

/// Most entries a per-user collection (messages, issues, events …) keeps.
const MAX_ITEMS: usize = 200;

// ---------------------------------------------------------------------------------------------

fn gmail(slug: &str, a: &Map, st: &mut Map, env: &Env) -> Out {
    if !st.contains_key("messages") {
        let seed = |i: u64, from: &str, subject: &str, body: &str| {
            json!({"id": format!("msg_seed{i}"), "threadId": format!("thr_seed{i}"),
                   "from": from, "to": env.email(), "cc": [], "bcc": [], "subject": subject,
                   "body": body, "snippet": body.chars().take(80).collect::<String>(),
                   "labelIds": ["INBOX", "UNREAD"],
                   "internalDate": env.now.saturating_sub(86_400_000 * (3 - i)).to_string(),
                   "date": rfc3339(env.now.saturating_sub(86_400_000 * (3 - i)))})
        };
        st.insert(
            "messages".into(),
            json!([
                seed(1, "Composio Emulator <hello@composio.dev>", "Welcome to your emulated inbox",
                     "This mailbox is simulated by the local Composio emulator. Messages you send appear under the SENT label."),
                seed(2, "Alice Example <alice@example.org>", "Lunch on Friday?",
                     "Hi! Are you free for lunch on Friday at noon?"),
            ]),
        );
    }
    let mut msgs = take(st, "messages");
    let mut drafts = take(st, "drafts");
    let message = |labels: &[&str]| {
        let body = s(a, "body").unwrap_or("");
        json!({"id": (env.id)("msg_"), "threadId": (env.id)("thr_"), "from": env.email(),
               "to": s(a, "recipient_email").unwrap_or(""), "cc": strs(a, "cc"), "bcc": strs(a, "bcc"),
               "subject": s(a, "subject").unwrap_or(""), "body": body,
               "snippet": body.chars().take(80).collect::<String>(),
               "labelIds": labels, "internalDate": env.now.to_string(), "date": rfc3339(env.now)})
    };
    let newest_first = |v: &[Value]| {
        let mut v = v.to_vec();
        sort_values(
            &mut v,
            |m| field(m, "internalDate").parse::<i64>().unwrap_or(0),
            true,
        );
        v
    };
    let out = match slug {
        "GMAIL_SEND_EMAIL" => {
            let m = message(&["SENT"]);
            let out = json!({"id": m["id"], "threadId": m["threadId"], "labelIds": ["SENT"]});
            msgs.push(m);
            Ok(out)
        }
        "GMAIL_FETCH_EMAILS" => {
            let labels = strs(a, "label_ids");
            let q = s(a, "query").unwrap_or("");
            let payload = boolean(a, "include_payload").unwrap_or(true);
            let matched: Vec<Value> = newest_first(&msgs)
                .into_iter()
                .filter(|m| {
                    labels.is_empty()
                        || m["labelIds"].as_array().is_some_and(|l| {
                            l.iter()
                                .any(|x| labels.iter().any(|w| x.as_str() == Some(w.as_str())))
                        })
                })
                .filter(|m| {
                    q.is_empty()
                        || ["from", "to", "subject", "body"]
                            .iter()
                            .any(|f| contains_ci(field(m, f), q))
                })
                .collect();
            let total = matched.len();
            let page: Vec<Value> = matched
                .into_iter()
                .take(limit(a, "max_results", 10))
                .map(|mut m| {
                    if !payload {
                        if let Some(o) = m.as_object_mut() {
                            o.remove("body");
                        }
                    }
                    m
                })
                .collect();
            Ok(json!({"messages": page, "resultSizeEstimate": total, "nextPageToken": null}))
        }
        "GMAIL_CREATE_EMAIL_DRAFT" => {
            let d = json!({"id": (env.id)("r-"), "message": message(&["DRAFT"])});
            drafts.push(d.clone());
            Ok(d)
        }
        "GMAIL_LIST_DRAFTS" => {
            let list: Vec<Value> = drafts
                .iter()
                .rev()
                .take(limit(a, "max_results", 10))
                .cloned()
                .collect();
            Ok(json!({"drafts": list}))
        }
        "GMAIL_GET_PROFILE" => Ok(
            json!({"emailAddress": env.email(), "messagesTotal": msgs.len(),
                                         "threadsTotal": msgs.len(), "historyId": (msgs.len() + drafts.len()).to_string()}),
        ),
        "GMAIL_LIST_LABELS" => {
            let labels: Vec<Value> = [
                "INBOX",
                "SENT",
                "DRAFT",
                "UNREAD",
                "STARRED",
                "IMPORTANT",
                "SPAM",
                "TRASH",
            ]
            .iter()
            .map(|l| json!({"id": l, "name": l, "type": "system"}))
            .collect();
            Ok(json!({ "labels": labels }))
        }
        "GMAIL_DELETE_MESSAGE" => {
            let id = s(a, "message_id").unwrap_or("");
            let before = msgs.len();
            msgs.retain(|m| field(m, "id") != id);
            if msgs.len() == before {
                Err(format!("Message {id} not found"))
            } else {
                Ok(json!({"id": id, "deleted": true}))
            }
        }
        _ => Err(format!("{slug} is not implemented")),
    };
    st.insert("messages".into(), Value::Array(msgs));
    st.insert("drafts".into(), Value::Array(drafts));
    out
}

// ---------------------------------------------------------------------------------------------

fn github(slug: &str, a: &Map, st: &mut Map, env: &Env) -> Out {
    let login = env.handle();
    let owner = s(a, "owner").unwrap_or("").to_owned();
    let repo = s(a, "repo").unwrap_or("").to_owned();
    let same_repo = |i: &Value| {
        field(i, "owner").eq_ignore_ascii_case(&owner)
            && field(i, "repo").eq_ignore_ascii_case(&repo)
    };
    let mut issues = take(st, "issues");
    let mut stars = take(st, "stars");
    let number = int(a, "issue_number").unwrap_or(0);
    let find = |issues: &[Value]| {
        issues
            .iter()
            .position(|i| same_repo(i) && i["number"].as_i64() == Some(number))
    };
    let not_found = || format!("Issue #{number} not found in {owner}/{repo}");
    let public = |i: &Value| {
        let mut i = i.clone();
        if let Some(o) = i.as_object_mut() {
            o.remove("owner");
            o.remove("repo");
        }
        i
    };
    let out = match slug {
        "GITHUB_CREATE_AN_ISSUE" => {
            let n = issues
                .iter()
                .filter(|i| same_repo(i))
                .filter_map(|i| i["number"].as_i64())
                .max()
                .unwrap_or(0)
                + 1;
            let id = 1_000_000 + issues.len() as u64 + 1;
            let issue = json!({
                "id": id, "number": n, "owner": owner, "repo": repo,
                "title": s(a, "title").unwrap_or(""), "body": s(a, "body").unwrap_or(""),
                "state": "open", "labels": strs(a, "labels").iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
                "assignees": strs(a, "assignees").iter().map(|l| json!({"login": l})).collect::<Vec<_>>(),
                "user": {"login": login}, "comments": [],
                "html_url": format!("https://github.com/{owner}/{repo}/issues/{n}"),
                "repository_url": format!("https://api.github.com/repos/{owner}/{repo}"),
                "created_at": rfc3339(env.now), "updated_at": rfc3339(env.now), "closed_at": null,
            });
            let out = public(&issue);
            issues.push(issue);
            Ok(out)
        }
        "GITHUB_LIST_ISSUES" => {
            let state = s(a, "state").unwrap_or("open");
            let labels: Vec<String> = s(a, "labels")
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            let mut list: Vec<Value> = issues
                .iter()
                .filter(|i| same_repo(i))
                .filter(|i| state == "all" || field(i, "state") == state)
                .filter(|i| {
                    labels.iter().all(|l| {
                        i["labels"]
                            .as_array()
                            .is_some_and(|ls| ls.iter().any(|x| field(x, "name") == l))
                    })
                })
                .map(public)
                .collect();
            sort_values(&mut list, |i| i["number"].as_i64().unwrap_or(0), true);
            let per = limit(a, "per_page", 30).max(1);
            let page = limit(a, "page", 1).max(1);
            let list: Vec<Value> = list.into_iter().skip(per * (page - 1)).take(per).collect();
            Ok(json!({"issues": list}))
        }
        "GITHUB_GET_AN_ISSUE" => find(&issues)
            .and_then(|p| issues.get(p))
            .map(public)
            .ok_or_else(not_found),
        "GITHUB_UPDATE_AN_ISSUE" => match find(&issues).and_then(|p| issues.get_mut(p)) {
            Some(i) => {
                for k in ["title", "body", "state"] {
                    if let Some(v) = s(a, k) {
                        i[k] = json!(v);
                    }
                }
                i["updated_at"] = json!(rfc3339(env.now));
                i["closed_at"] = if field(i, "state") == "closed" {
                    json!(rfc3339(env.now))
                } else {
                    Value::Null
                };
                Ok(public(i))
            }
            None => Err(not_found()),
        },
        "GITHUB_CREATE_AN_ISSUE_COMMENT" => match find(&issues).and_then(|p| issues.get_mut(p)) {
            Some(i) => {
                let count = i["comments"].as_array().map(Vec::len).unwrap_or(0);
                let id = 2_000_000 + (number as u64) * 1000 + count as u64 + 1;
                let c = json!({"id": id, "body": s(a, "body").unwrap_or(""), "user": {"login": login},
                               "created_at": rfc3339(env.now),
                               "html_url": format!("https://github.com/{owner}/{repo}/issues/{number}#issuecomment-{id}")});
                if let Some(arr) = i["comments"].as_array_mut() {
                    arr.push(c.clone());
                }
                Ok(c)
            }
            None => Err(not_found()),
        },
        "GITHUB_GET_THE_AUTHENTICATED_USER" => Ok(github_user(&login)),
        "GITHUB_LIST_REPOSITORIES_FOR_THE_AUTHENTICATED_USER" => {
            let mut names: Vec<String> = vec!["hello-world".into(), "dotfiles".into()];
            for i in &issues {
                if field(i, "owner").eq_ignore_ascii_case(&login)
                    && !names.iter().any(|n| n == field(i, "repo"))
                {
                    names.push(field(i, "repo").to_owned());
                }
            }
            if s(a, "sort") == Some("full_name") || s(a, "sort").is_none() {
                names.sort();
            }
            let repos: Vec<Value> = names
                .iter()
                .take(limit(a, "per_page", 30))
                .map(|n| {
                    let full = format!("{login}/{n}");
                    json!({"name": n, "full_name": full, "private": false, "owner": {"login": login},
                           "html_url": format!("https://github.com/{full}"),
                           "description": format!("Emulated repository {n}"),
                           "stargazers_count": fnv(&full) % 100, "open_issues_count":
                           issues.iter().filter(|i| field(i, "repo") == n && field(i, "state") == "open").count()})
                })
                .collect();
            Ok(json!({"repositories": repos}))
        }
        "GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER" => {
            let full = format!("{owner}/{repo}");
            if !stars.iter().any(|x| x.as_str() == Some(full.as_str())) {
                stars.push(json!(full));
            }
            Ok(json!({"starred": true, "full_name": full}))
        }
        _ => Err(format!("{slug} is not implemented")),
    };
    st.insert("issues".into(), Value::Array(issues));
    st.insert("stars".into(), Value::Array(stars));
    out
}

fn github_user(login: &str) -> Value {
    json!({"login": login, "id": fnv(login) % 90_000_000 + 1_000_000, "name": login, "type": "User",
           "html_url": format!("https://github.com/{login}"), "email": format!("{login}@example.com")})
}

// ---------------------------------------------------------------------------------------------

fn slack(slug: &str, a: &Map, st: &mut Map, env: &Env) -> Out {
    let mut channels = take(st, "channels");
    if channels.is_empty() {
        channels = vec![
            json!({"id": "C01GENERAL", "name": "general", "is_private": false, "is_archived": false, "created": env.now / 1000, "num_members": 3}),
            json!({"id": "C02RANDOM", "name": "random", "is_private": false, "is_archived": false, "created": env.now / 1000, "num_members": 3}),
        ];
    }
    let mut msgs = take(st, "messages");
    let user = format!("U{}", env.handle().to_ascii_uppercase());
    let resolve = |channels: &[Value], c: &str| {
        let c = c.trim_start_matches('#');
        channels
            .iter()
            .find(|x| field(x, "id") == c || field(x, "name").eq_ignore_ascii_case(c))
            .map(|x| field(x, "id").to_owned())
            .ok_or_else(|| format!("channel_not_found: no channel named or with id {c}"))
    };
    let out = match slug {
        "SLACK_SEND_MESSAGE" => resolve(&channels, s(a, "channel").unwrap_or("")).map(|ch| {
            let ts = format!("{}.{:06}", env.now / 1000, msgs.len() + 1);
            let mut m = json!({"type": "message", "user": user, "text": s(a, "text").unwrap_or(""),
                               "ts": ts, "channel": ch, "reactions": []});
            if let Some(t) = s(a, "thread_ts") {
                m["thread_ts"] = json!(t);
            }
            msgs.push(m.clone());
            json!({"ok": true, "channel": ch, "ts": ts, "message": m})
        }),
        "SLACK_FETCH_CONVERSATION_HISTORY" => resolve(&channels, s(a, "channel").unwrap_or(""))
            .map(|ch| {
                let oldest: f64 = s(a, "oldest").and_then(|o| o.parse().ok()).unwrap_or(0.0);
                let list: Vec<Value> = msgs
                    .iter()
                    .rev()
                    .filter(|m| field(m, "channel") == ch)
                    .filter(|m| field(m, "ts").parse::<f64>().unwrap_or(0.0) > oldest)
                    .take(limit(a, "limit", 100))
                    .cloned()
                    .collect();
                json!({"ok": true, "messages": list, "has_more": false})
            }),
        "SLACK_LIST_ALL_CHANNELS" => {
            let skip_archived = boolean(a, "exclude_archived").unwrap_or(true);
            let list: Vec<Value> = channels
                .iter()
                .filter(|c| !(skip_archived && c["is_archived"] == json!(true)))
                .take(limit(a, "limit", 100))
                .cloned()
                .collect();
            Ok(json!({"ok": true, "channels": list}))
        }
        "SLACK_CREATE_CHANNEL" => {
            let name = s(a, "name")
                .unwrap_or("")
                .trim_start_matches('#')
                .to_owned();
            if name.is_empty()
                || name.len() > 80
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                Err(
                    "invalid_name_specials: channel names are lowercase letters, digits, - and _"
                        .to_owned(),
                )
            } else if channels.iter().any(|c| field(c, "name") == name) {
                Err(format!("name_taken: a channel named {name} already exists"))
            } else {
                let c = json!({"id": format!("C{}", (env.id)("").to_ascii_uppercase().replace(['-', '_'], "0")),
                               "name": name, "is_private": boolean(a, "is_private").unwrap_or(false),
                               "is_archived": false, "created": env.now / 1000, "num_members": 1});
                channels.push(c.clone());
                Ok(json!({"ok": true, "channel": c}))
            }
        }
        "SLACK_ADD_REACTION_TO_AN_ITEM" => resolve(&channels, s(a, "channel").unwrap_or(""))
            .and_then(|ch| {
                let ts = s(a, "timestamp").unwrap_or("");
                let name = s(a, "name").unwrap_or("").trim_matches(':').to_owned();
                match msgs
                    .iter_mut()
                    .find(|m| field(m, "channel") == ch && field(m, "ts") == ts)
                {
                    Some(m) => {
                        if let Some(r) = m["reactions"].as_array_mut() {
                            if !r.iter().any(|x| field(x, "name") == name) {
                                r.push(json!({"name": name, "users": [user], "count": 1}));
                            }
                        }
                        Ok(json!({"ok": true}))
                    }
                    None => Err(format!("message_not_found: no message {ts} in {ch}")),
                }
            }),
        "SLACK_FIND_USERS" => {
            let q = s(a, "query").unwrap_or("");
            let members = [
                (user.clone(), env.handle(), env.email()),
                ("U0ALICE".into(), "alice".into(), "alice@example.org".into()),
                ("U0BOB".into(), "bob".into(), "bob@example.org".into()),
            ];
            let found: Vec<Value> = members
                .iter()
                .filter(|(_, n, e)| contains_ci(n, q) || contains_ci(e, q))
                .map(|(id, n, e)| json!({"id": id, "name": n, "real_name": n, "profile": {"email": e}}))
                .collect();
            Ok(json!({"ok": true, "members": found}))
        }
        _ => Err(format!("{slug} is not implemented")),
    };
    st.insert("channels".into(), Value::Array(channels));
    st.insert("messages".into(), Value::Array(msgs));
    out
}

// ---------------------------------------------------------------------------------------------

fn notion(slug: &str, a: &Map, st: &mut Map, env: &Env) -> Out {
    let mut pages = take(st, "pages");
    if pages.is_empty() {
        pages.push(json!({"id": "page_getting_started", "object": "page", "title": "Getting Started",
            "content": "Welcome to your emulated Notion workspace. Pages you create appear in search.",
            "parent_id": null, "icon": "👋", "archived": false,
            "created_time": rfc3339(env.now), "last_edited_time": rfc3339(env.now),
            "url": "https://www.notion.so/Getting-Started-page_getting_started"}));
    }
    let page_id = s(a, "page_id").unwrap_or("");
    let not_found = || format!("Could not find page with ID: {page_id}");
    let out = match slug {
        "NOTION_CREATE_NOTION_PAGE" => {
            let parent = s(a, "parent_id");
            if parent.is_some_and(|p| !pages.iter().any(|x| field(x, "id") == p)) {
                Err(format!(
                    "Could not find parent page with ID: {}",
                    parent.unwrap_or("")
                ))
            } else {
                let id = (env.id)("page_");
                let title = s(a, "title").unwrap_or("Untitled");
                let slugged: String = title
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { '-' })
                    .collect();
                let p = json!({"id": id, "object": "page", "title": title, "content": s(a, "content").unwrap_or(""),
                               "parent_id": parent, "icon": s(a, "icon"), "archived": false,
                               "created_time": rfc3339(env.now), "last_edited_time": rfc3339(env.now),
                               "url": format!("https://www.notion.so/{slugged}-{id}")});
                pages.push(p.clone());
                Ok(p)
            }
        }
        "NOTION_SEARCH_NOTION_PAGE" => {
            let q = s(a, "query").unwrap_or("");
            let list: Vec<Value> = if s(a, "filter_value") == Some("database") {
                Vec::new()
            } else {
                pages
                    .iter()
                    .rev()
                    .filter(|p| p["archived"] != json!(true))
                    .filter(|p| {
                        q.is_empty()
                            || contains_ci(field(p, "title"), q)
                            || contains_ci(field(p, "content"), q)
                    })
                    .take(limit(a, "page_size", 10))
                    .cloned()
                    .collect()
            };
            Ok(json!({"results": list, "has_more": false}))
        }
        "NOTION_FETCH_NOTION_PAGE" => pages
            .iter()
            .find(|p| field(p, "id") == page_id)
            .cloned()
            .ok_or_else(not_found),
        "NOTION_ADD_PAGE_CONTENT" | "NOTION_ARCHIVE_NOTION_PAGE" => {
            match pages.iter_mut().find(|p| field(p, "id") == page_id) {
                Some(p) => {
                    if slug == "NOTION_ARCHIVE_NOTION_PAGE" {
                        p["archived"] = json!(true);
                        Ok(json!({"id": page_id, "archived": true}))
                    } else {
                        let cur = field(p, "content").to_owned();
                        let add = s(a, "content").unwrap_or("");
                        let content = if cur.is_empty() {
                            add.to_owned()
                        } else {
                            format!("{cur}\n\n{add}")
                        };
                        p["content"] = json!(content);
                        p["last_edited_time"] = json!(rfc3339(env.now));
                        Ok(json!({"id": page_id, "content": content}))
                    }
                }
                None => Err(not_found()),
            }
        }
        _ => Err(format!("{slug} is not implemented")),
    };
    st.insert("pages".into(), Value::Array(pages));
    out
}

// ---------------------------------------------------------------------------------------------

fn event_ms(e: &Value, k: &str) -> u64 {
    parse_rfc3339(e[k]["dateTime"].as_str().unwrap_or("")).unwrap_or(0)
}

fn calendar(slug: &str, a: &Map, st: &mut Map, env: &Env) -> Out {
    let mut events = take(st, "events");
    let event_id = s(a, "event_id").unwrap_or("");
    let time = |k: &str| s(a, k).and_then(parse_rfc3339);
    let out = match slug {
        "GOOGLECALENDAR_CREATE_EVENT" => {
            let start = time("start_datetime").unwrap_or(0);
            let end = time("end_datetime")
                .unwrap_or(start + limit(a, "event_duration_minutes", 30) as u64 * 60_000);
            if end <= start {
                Err("end_datetime must be after start_datetime".to_owned())
            } else {
                let id = (env.id)("evt_").to_ascii_lowercase();
                let e = json!({"id": id, "status": "confirmed", "summary": s(a, "summary").unwrap_or(""),
                    "description": s(a, "description"), "location": s(a, "location"),
                    "start": {"dateTime": rfc3339(start), "timeZone": "UTC"},
                    "end": {"dateTime": rfc3339(end), "timeZone": "UTC"},
                    "attendees": strs(a, "attendees").iter().map(|m| json!({"email": m, "responseStatus": "needsAction"})).collect::<Vec<_>>(),
                    "organizer": {"email": env.email(), "self": true},
                    "calendar_id": s(a, "calendar_id").unwrap_or("primary"),
                    "created": rfc3339(env.now),
                    "htmlLink": format!("https://calendar.google.com/calendar/event?eid={id}")});
                events.push(e.clone());
                Ok(e)
            }
        }
        "GOOGLECALENDAR_EVENTS_LIST" => {
            let (min, max) = (time("time_min"), time("time_max"));
            let q = s(a, "q").unwrap_or("");
            let cal = s(a, "calendar_id").unwrap_or("primary");
            let mut list: Vec<Value> = events
                .iter()
                .filter(|e| field(e, "calendar_id") == cal)
                .filter(|e| min.is_none_or(|m| event_ms(e, "end") > m))
                .filter(|e| max.is_none_or(|m| event_ms(e, "start") < m))
                .filter(|e| {
                    q.is_empty()
                        || ["summary", "description", "location"]
                            .iter()
                            .any(|f| contains_ci(field(e, f), q))
                })
                .cloned()
                .collect();
            sort_values(&mut list, |e| event_ms(e, "start") as i64, false);
            list.truncate(limit(a, "max_results", 50));
            Ok(json!({"kind": "calendar#events", "summary": cal, "items": list}))
        }
        "GOOGLECALENDAR_UPDATE_EVENT" => {
            match events.iter_mut().find(|e| field(e, "id") == event_id) {
                Some(e) => {
                    let start = time("start_datetime").unwrap_or_else(|| event_ms(e, "start"));
                    let end = time("end_datetime").unwrap_or_else(|| event_ms(e, "end"));
                    if end <= start {
                        Err("end_datetime must be after start_datetime".to_owned())
                    } else {
                        for k in ["summary", "description"] {
                            if let Some(v) = s(a, k) {
                                e[k] = json!(v);
                            }
                        }
                        e["start"]["dateTime"] = json!(rfc3339(start));
                        e["end"]["dateTime"] = json!(rfc3339(end));
                        Ok(e.clone())
                    }
                }
                None => Err(format!("Event {event_id} not found")),
            }
        }
        "GOOGLECALENDAR_DELETE_EVENT" => {
            let before = events.len();
            events.retain(|e| field(e, "id") != event_id);
            if events.len() == before {
                Err(format!("Event {event_id} not found"))
            } else {
                Ok(json!({"id": event_id, "deleted": true}))
            }
        }
        "GOOGLECALENDAR_FIND_FREE_SLOTS" => {
            let (min, max) = (time("time_min").unwrap_or(0), time("time_max").unwrap_or(0));
            if max <= min {
                Err("time_max must be after time_min".to_owned())
            } else {
                let mut busy: Vec<(u64, u64)> = events
                    .iter()
                    .map(|e| (event_ms(e, "start").max(min), event_ms(e, "end").min(max)))
                    .filter(|(s0, e0)| s0 < e0)
                    .collect();
                busy.sort_unstable();
                let mut merged: Vec<(u64, u64)> = Vec::new();
                for (b0, b1) in busy {
                    match merged.last_mut() {
                        Some(last) if b0 <= last.1 => last.1 = last.1.max(b1),
                        _ => merged.push((b0, b1)),
                    }
                }
                let mut free = Vec::new();
                let mut cur = min;
                for (b0, b1) in &merged {
                    if *b0 > cur {
                        free.push((cur, *b0));
                    }
                    cur = cur.max(*b1);
                }
                if cur < max {
                    free.push((cur, max));
                }
                let fmt = |v: &[(u64, u64)]| {
                    v.iter()
                        .map(|(x, y)| json!({"start": rfc3339(*x), "end": rfc3339(*y)}))
                        .collect::<Vec<_>>()
                };
                Ok(
                    json!({"time_min": rfc3339(min), "time_max": rfc3339(max), "busy": fmt(&merged), "free": fmt(&free)}),
                )
            }
        }
        _ => Err(format!("{slug} is not implemented")),
    };
    st.insert("events".into(), Value::Array(events));
    out
}

// ---------------------------------------------------------------------------------------------

const TEAMS: &[(&str, &str, &str)] = &[
    ("team_eng", "ENG", "Engineering"),
    ("team_des", "DES", "Design"),
    ("team_ops", "OPS", "Operations"),
];

fn linear(slug: &str, a: &Map, st: &mut Map, env: &Env) -> Out {
    let mut issues = take(st, "issues");
    let issue_id = s(a, "issue_id").unwrap_or("");
    let matches = |i: &Value| {
        field(i, "id") == issue_id || field(i, "identifier").eq_ignore_ascii_case(issue_id)
    };
    let team_of = |t: &str| {
        TEAMS
            .iter()
            .find(|(id, key, _)| *id == t || key.eq_ignore_ascii_case(t))
    };
    let out = match slug {
        "LINEAR_CREATE_LINEAR_ISSUE" => match team_of(s(a, "team_id").unwrap_or("")) {
            Some((tid, key, tname)) => {
                let n = issues
                    .iter()
                    .filter(|i| field(i, "team_id") == *tid)
                    .count()
                    + 1;
                let ident = format!("{key}-{n}");
                let i = json!({"id": (env.id)("lin_"), "identifier": ident, "title": s(a, "title").unwrap_or(""),
                               "description": s(a, "description").unwrap_or(""), "priority": int(a, "priority").unwrap_or(0),
                               "state": "Todo", "team_id": tid, "team": {"id": tid, "key": key, "name": tname},
                               "creator": env.email(), "createdAt": rfc3339(env.now), "updatedAt": rfc3339(env.now),
                               "url": format!("https://linear.app/emulator/issue/{ident}")});
                issues.push(i.clone());
                Ok(i)
            }
            None => Err(format!(
                "Team {} not found; list team ids with LINEAR_LIST_LINEAR_TEAMS",
                s(a, "team_id").unwrap_or("")
            )),
        },
        "LINEAR_LIST_LINEAR_ISSUES" => {
            let team = s(a, "team_id").map(|t| team_of(t).map(|x| x.0).unwrap_or(""));
            let list: Vec<Value> = issues
                .iter()
                .rev()
                .filter(|i| team.is_none_or(|t| field(i, "team_id") == t))
                .filter(|i| s(a, "state").is_none_or(|x| field(i, "state") == x))
                .take(limit(a, "first", 50))
                .cloned()
                .collect();
            Ok(json!({"issues": list}))
        }
        "LINEAR_GET_LINEAR_ISSUE" => issues
            .iter()
            .find(|i| matches(i))
            .cloned()
            .ok_or_else(|| format!("Issue {issue_id} not found")),
        "LINEAR_UPDATE_ISSUE" => match issues.iter_mut().find(|i| matches(i)) {
            Some(i) => {
                for k in ["title", "state"] {
                    if let Some(v) = s(a, k) {
                        i[k] = json!(v);
                    }
                }
                if let Some(p) = int(a, "priority") {
                    i["priority"] = json!(p);
                }
                i["updatedAt"] = json!(rfc3339(env.now));
                Ok(i.clone())
            }
            None => Err(format!("Issue {issue_id} not found")),
        },
        "LINEAR_LIST_LINEAR_TEAMS" => {
            let teams: Vec<Value> = TEAMS
                .iter()
                .map(|(id, key, name)| json!({"id": id, "key": key, "name": name}))
                .collect();
            Ok(json!({ "teams": teams }))
        }
        _ => Err(format!("{slug} is not implemented")),
    };
    st.insert("issues".into(), Value::Array(issues));
    out
}

// ---------------------------------------------------------------------------------------------

const STORIES: &[(&str, &str, &str)] = &[
    (
        "Show HN: A Tool Router emulator that runs at the edge",
        "https://github.com/example/composio-edge",
        "pg_fan",
    ),
    (
        "WebAssembly components are ready for production",
        "https://example.com/wasm-components",
        "wasmer",
    ),
    (
        "Rust 2027 edition roadmap",
        "https://blog.rust-lang.org/roadmap",
        "steveklabnik",
    ),
    (
        "Durable Objects: lessons from three years in production",
        "https://example.com/durable-objects",
        "kentonv",
    ),
    (
        "The case for boring technology, revisited",
        "https://example.com/boring-tech",
        "mcfunley",
    ),
    ("Ask HN: How do you test LLM agents?", "", "curious_dev"),
    (
        "OAuth 2.1 is finally an RFC",
        "https://example.com/oauth21",
        "aaronpk",
    ),
    (
        "SQLite as an application file format",
        "https://sqlite.org/appfileformat.html",
        "drh",
    ),
    (
        "Why we moved our API to the edge",
        "https://example.com/edge-api",
        "edgeops",
    ),
    (
        "A visual guide to BM25 ranking",
        "https://example.com/bm25",
        "searchnerd",
    ),
    (
        "Launch HN: Agents that book meetings for you",
        "https://example.com/agents",
        "founder",
    ),
    (
        "Postgres 19 released",
        "https://www.postgresql.org/about/news/",
        "pgdev",
    ),
];

fn story(i: usize, day: u64) -> Value {
    let (title, url, by) = STORIES.get(i).copied().unwrap_or(("", "", ""));
    let id = 45_000_000 + i as u64 * 17;
    let score = 50 + (fnv(&format!("{title}{day}")) % 900);
    json!({"id": id, "type": "story", "title": title, "url": url, "by": by, "score": score,
           "descendants": score / 4, "time": 1_700_000_000 + fnv(title) % 100_000_000})
}

fn hackernews(slug: &str, a: &Map, env: &Env) -> Out {
    let day = env.now / 86_400_000;
    let mut all: Vec<Value> = (0..STORIES.len()).map(|i| story(i, day)).collect();
    sort_values(&mut all, |x| x["score"].as_i64().unwrap_or(0), true);
    match slug {
        "HACKERNEWS_GET_TOP_STORIES" => {
            all.truncate(limit(a, "limit", 10));
            Ok(json!({"stories": all}))
        }
        "HACKERNEWS_GET_ITEM_WITH_ID" => {
            let id = int(a, "id").unwrap_or(0);
            all.into_iter()
                .find(|x| x["id"].as_i64() == Some(id))
                .ok_or_else(|| format!("Item {id} not found"))
        }
        "HACKERNEWS_SEARCH_POSTS" => {
            let words = super::search::tokenize(s(a, "query").unwrap_or(""));
            let hits: Vec<Value> = all
                .into_iter()
                .filter(|x| {
                    let t = super::search::tokenize(field(x, "title"));
                    words.iter().any(|w| t.contains(w))
                })
                .take(limit(a, "limit", 10))
                .collect();
            Ok(json!({"hits": hits}))
        }
        "HACKERNEWS_GET_USER" => {
            let u = s(a, "username").unwrap_or("");
            let h = fnv(u);
            Ok(
                json!({"id": u, "karma": h % 50_000, "created": 1_200_000_000 + h % 500_000_000,
                      "about": format!("{u} is an emulated Hacker News user.")}),
            )
        }
        _ => Err(format!("{slug} is not implemented")),
    }
}

const CONDITIONS: &[&str] = &[
    "clear sky",
    "few clouds",
    "scattered clouds",
    "overcast clouds",
    "light rain",
    "moderate rain",
    "thunderstorm",
    "snow",
    "mist",
];

fn weather(slug: &str, a: &Map, env: &Env) -> Out {
    let loc = s(a, "location").unwrap_or("").trim();
    if loc.is_empty() {
        return Err("location must not be empty".into());
    }
    let imperial = s(a, "units") == Some("imperial");
    let key = loc.to_lowercase();
    let base = (fnv(&key) % 35) as f64 - 5.0;
    let day0 = env.now / 86_400_000;
    let temp = |day: u64, salt: &str| base + (fnv(&format!("{key}{day}{salt}")) % 7) as f64 - 3.0;
    let conv = |c: f64| {
        let v = if imperial { c * 9.0 / 5.0 + 32.0 } else { c };
        (v * 10.0).round() / 10.0
    };
    let cond = |day: u64| {
        CONDITIONS
            .get((fnv(&format!("{key}{day}c")) % CONDITIONS.len() as u64) as usize)
            .copied()
            .unwrap_or("clear sky")
    };
    let name = loc
        .split(',')
        .map(|p| {
            let p = p.trim();
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(", ");
    match slug {
        "WEATHERMAP_GET_CURRENT_WEATHER" => {
            let wind = (fnv(&format!("{key}{day0}w")) % 150) as f64 / 10.0;
            Ok(
                json!({"location": name, "temperature": conv(temp(day0, "")), "conditions": cond(day0),
                      "humidity": 30 + fnv(&format!("{key}{day0}h")) % 60,
                      "wind_speed": if imperial { (wind * 22.37).round() / 10.0 } else { wind },
                      "units": if imperial { "imperial" } else { "metric" },
                      "observed_at": rfc3339(env.now)}),
            )
        }
        "WEATHERMAP_GET_FORECAST" => {
            let days: Vec<Value> = (0..limit(a, "days", 3) as u64)
                .map(|d| {
                    let day = day0 + d;
                    let t = temp(day, "");
                    json!({"date": rfc3339(day * 86_400_000).get(..10).unwrap_or(""),
                           "min": conv(t - 4.0), "max": conv(t + 4.0), "conditions": cond(day)})
                })
                .collect();
            Ok(
                json!({"location": name, "units": if imperial { "imperial" } else { "metric" }, "days": days}),
            )
        }
        _ => Err(format!("{slug} is not implemented")),
    }
}

// ---------------------------------------------------------------------------------------------

/// The emulated answer of `proxy_execute`.
pub(crate) fn proxy(
    tk: &Toolkit,
    account: Option<&Account>,
    method: &str,
    endpoint: &str,
    query: &Map,
    body: Option<&Value>,
) -> Value {
    let base = match tk.slug {
        "github" => "https://api.github.com",
        "gmail" => "https://gmail.googleapis.com",
        "googlecalendar" => "https://www.googleapis.com/calendar/v3",
        "slack" => "https://slack.com/api",
        "notion" => "https://api.notion.com/v1",
        "linear" => "https://api.linear.app",
        "hackernews" => "https://hacker-news.firebaseio.com/v0",
        _ => "https://api.example.com",
    };
    let url = if endpoint.starts_with("http") {
        endpoint.to_owned()
    } else {
        format!("{base}/{}", endpoint.trim_start_matches('/'))
    };
    if tk.slug == "github" && method == "GET" && endpoint.trim_end_matches('/') == "/user" {
        if let Some(acc) = account {
            let idf = |_: &str| String::new();
            let env = Env {
                now: 0,
                user_id: &acc.user_id,
                id: &idf,
            };
            return github_user(&env.handle());
        }
    }
    json!({
        "emulated": true,
        "toolkit": tk.slug,
        "method": method,
        "url": url,
        "query": query,
        "body": body.cloned().unwrap_or(Value::Null),
        "connected_account_id": account.map(|a| a.id.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_parses_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1994-11-06T08:49:37Z"), Some(784_111_777_000));
        assert_eq!(
            parse_rfc3339("1994-11-06T09:49:37.250+01:00"),
            Some(784_111_777_250)
        );
        assert_eq!(parse_rfc3339("1994-11-06T08:49"), Some(784_111_740_000));
        assert_eq!(parse_rfc3339("tomorrow"), None);
        assert_eq!(parse_rfc3339("2026-11-23T25:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }
}
