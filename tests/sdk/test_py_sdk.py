"""The official Python SDK (composio 0.30.0) against the composio-edge emulator.

Run: COMPOSIO_BASE_URL=http://127.0.0.1:PORT target/venv/bin/python -m pytest -q tests/sdk/test_py_sdk.py
(tests/sdk/run.sh starts the emulator and sets the variable). Also runs as a plain script.
"""

from __future__ import annotations

import os
import time
import typing as t
import urllib.error
import urllib.request

from pydantic import BaseModel, Field

from composio import Composio
from composio.core.provider.agentic import AgenticProvider

BASE_URL = os.environ.get("COMPOSIO_BASE_URL", "")


class RunnableTool:
    def __init__(self, slug: str, execute: t.Callable[[str, dict], dict]):
        self.slug = slug
        self._execute = execute

    def run(self, arguments: dict) -> dict:
        return self._execute(self.slug, arguments)


class EmulatorTestProvider(AgenticProvider[RunnableTool, t.Dict[str, RunnableTool]], name="emulator-test"):
    """A minimal agentic provider so the SDK's custom-tool routing is exercised."""

    def wrap_tool(self, tool, execute_tool):
        return RunnableTool(tool.slug, execute_tool)

    def wrap_tools(self, tools, execute_tool):
        return {tool.slug: self.wrap_tool(tool, execute_tool) for tool in tools}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None


def post_form(url: str, body: str) -> t.Tuple[int, t.Dict[str, str]]:
    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    try:
        with opener.open(req) as res:
            return res.status, dict(res.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def get(url: str) -> t.Tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class GrepInput(BaseModel):
    pattern: str = Field(description="Pattern to look for")


def test_whole_session_with_the_official_python_sdk() -> None:
    assert BASE_URL, "set COMPOSIO_BASE_URL to the emulator origin"
    composio = Composio(
        api_key="ak_emulator",
        base_url=BASE_URL,
        allow_tracking=False,
        provider=EmulatorTestProvider(),
    )

    @composio.experimental.tool()
    def grep(input: GrepInput, ctx):
        """Find the lines of a text that contain a pattern."""
        return {"matches": [line for line in ["alpha", "beta", "alphabet"] if input.pattern in line]}

    user = f"py_user_{int(time.time() * 1000)}"

    # create
    session = composio.create(
        user_id=user,
        toolkits=["github", "hackernews", "weathermap"],
        manage_connections={"callback_url": "http://127.0.0.1:9/cb?from=py"},
        experimental={"custom_tools": [grep]},
    )
    assert session.session_id.startswith("trs_")
    assert session.config_version == 1
    assert [c.slug for c in session.custom_tools()] == ["LOCAL_GREP"]

    # tools
    tools = session.tools()
    for slug in ("COMPOSIO_SEARCH_TOOLS", "COMPOSIO_MULTI_EXECUTE_TOOL", "COMPOSIO_MANAGE_CONNECTIONS"):
        assert slug in tools, slug

    # search
    found = session.search(query="send a message to a slack channel")
    assert found.success is True
    # slack is not enabled in this session: the filter holds.
    assert all(not s.startswith("SLACK_") for r in found.results for s in r.primary_tool_slugs)
    found = session.search(query="weather forecast for Paris")
    assert found.results[0].primary_tool_slugs[0] in (
        "WEATHERMAP_GET_FORECAST",
        "WEATHERMAP_GET_CURRENT_WEATHER",
    )
    assert found.time_info.current_time_utc_epoch_seconds > 1_700_000_000

    # execute (meta tool via execute_meta too)
    w = session.execute("WEATHERMAP_GET_FORECAST", arguments={"location": "Oslo", "days": 2})
    assert w.result_type == "completed", w
    assert len(w.data["days"]) == 2
    missing = session.execute("GITHUB_LIST_ISSUES", arguments={"owner": "o", "repo": "r"})
    assert missing.result_type == "failed"
    assert "No active connected account" in (missing.error or "")
    meta = session.execute_meta(
        "COMPOSIO_SEARCH_TOOLS", arguments={"queries": [{"use_case": "top hacker news stories"}]}
    )
    assert meta.result_type == "completed"
    assert meta.data["results"][0]["primary_tool_slugs"][0] == "HACKERNEWS_GET_TOP_STORIES"
    sandbox = session.execute_meta("COMPOSIO_REMOTE_BASH_TOOL", arguments={"command": "ls"})
    assert sandbox.result_type == "failed" and "no sandbox" in sandbox.error

    # custom tool: local, and inside a multi-execute through the agentic provider
    local = session.execute("GREP", arguments={"pattern": "alpha"})
    assert local.result_type == "completed"
    assert local.data["matches"] == ["alpha", "alphabet"]
    multi = tools["COMPOSIO_MULTI_EXECUTE_TOOL"].run(
        {
            "tools": [
                {"tool_slug": "LOCAL_GREP", "arguments": {"pattern": "bet"}},
                {"tool_slug": "HACKERNEWS_GET_TOP_STORIES", "arguments": {"limit": 3}},
            ],
            "sync_response_to_workbench": False,
        }
    )
    assert multi["successful"] is True, multi
    results = multi["data"]["results"]
    assert [r["tool_slug"] for r in results] == ["LOCAL_GREP", "HACKERNEWS_GET_TOP_STORIES"]
    assert results[0]["response"]["data"]["matches"] == ["beta", "alphabet"]
    assert len(results[1]["response"]["data"]["stories"]) == 3

    # authorize → consent (plain HTTP POST) → wait_for_connection
    req = session.authorize("github", callback_url="http://127.0.0.1:9/cb?x=1")
    assert req.redirect_url.startswith(f"{BASE_URL}/link/ln_")
    status, html = get(req.redirect_url)
    assert status == 200 and 'value="allow"' in html
    status, headers = post_form(req.redirect_url, "decision=allow")
    assert status == 303
    location = headers.get("Location") or headers.get("location")
    assert location == f"http://127.0.0.1:9/cb?x=1&status=success&connected_account_id={req.id}"
    account = req.wait_for_connection(timeout=10)
    assert account.status == "ACTIVE"
    assert account.id == req.id

    # a link outside the session, denied on the consent page
    other = composio.connected_accounts.link(user_id=user, auth_config_id="ac_slack", callback_url="http://127.0.0.1:9/cb")
    status, headers = post_form(other.redirect_url, "decision=deny")
    assert status == 303
    location = headers.get("Location") or headers.get("location")
    assert location == f"http://127.0.0.1:9/cb?status=failed&connected_account_id={other.id}"
    try:
        other.wait_for_connection(timeout=5)
    except Exception as e:
        assert "FAILED" in str(e)
    else:
        raise AssertionError("a denied connection must not become active")

    created = session.execute(
        "GITHUB_CREATE_AN_ISSUE",
        arguments={"owner": "acme", "repo": "api", "title": "Rate limits are too strict"},
    )
    assert created.result_type == "completed", created
    listed = session.execute("GITHUB_LIST_ISSUES", arguments={"owner": "acme", "repo": "api"})
    assert [i["title"] for i in listed.data["issues"]] == ["Rate limits are too strict"]

    # toolkits
    kits = session.toolkits()
    gh = next(i for i in kits.items if i.slug == "github")
    assert gh.connection is not None and gh.connection.is_active is True
    hn = next(i for i in kits.items if i.slug == "hackernews")
    assert hn.is_no_auth is True
    connected = session.toolkits(is_connected=True)
    assert [i.slug for i in connected.items] == ["github"]

    # proxy_execute
    proxied = session.proxy_execute(toolkit="github", endpoint="/user", method="GET")
    assert proxied["result_type"] == "completed"
    assert proxied["status"] == 200
    assert proxied["data"]["login"] == user.lower()

    # update, history
    session.update(tags=["readOnlyHint"])
    assert session.config_version == 2
    history = session.list_config_history()
    assert [h.version for h in history.items] == [2, 1]

    # delete
    deleted = session.delete()
    assert deleted["deleted"] is True and deleted["session_id"] == session.session_id
    try:
        composio.use(session.session_id)
    except Exception as e:  # NotFoundError
        assert "404" in str(e) or "not found" in str(e).lower()
    else:
        raise AssertionError("a deleted session must be gone")


if __name__ == "__main__":
    test_whole_session_with_the_official_python_sdk()
    print("ok")
