"""`polite lsp` in a real editor: a headless Neovim as the language client.

The LSP tests in test_lsp*.py drive the server with pygls' own client; this one
checks that an editor that is not ours agrees: Neovim turns the UTF-16 positions
into its byte columns, lists the code actions and applies the rewrite edit.
Works with Neovim 0.7 (Debian 12) and newer; skipped when nvim is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import polite_executable

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (CI installs it, see .ci/run)")

# The emoji before the demand is 4 bytes in Neovim's columns and 2 UTF-16 units in the protocol's.
DRAFT = "Hi Dana,\n\nLoved your talk. 🎉 I endorsed you, now endorse me back.\n\nBest,\nSam\n"
DEMAND = "I endorsed you, now endorse me back."

CLIENT = r"""
local cmd = vim.fn.json_decode([==[{cmd}]==])
local client
if vim.lsp.start then
  client = vim.lsp.start({ name = 'polite', cmd = cmd, root_dir = vim.fn.getcwd() })
else
  client = vim.lsp.start_client({ name = 'polite', cmd = cmd, root_dir = vim.fn.getcwd() })
  vim.lsp.buf_attach_client(0, client)
end
local out = {}
local got = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, { kind = 'diagnostic', line = d.lnum, col = d.col, end_line = d.end_lnum,
                      end_col = d.end_col, code = d.code, source = d.source })
end
if got and '{apply}' == 'yes' then
  local d = vim.diagnostic.get(0)[1]
  local range = { start = { line = d.lnum, character = 0 }, ['end'] = { line = d.lnum + 1, character = 0 } }
  local params = { textDocument = { uri = vim.uri_from_bufnr(0) }, range = range, context = { diagnostics = {} } }
  local answers = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 10000) or {}
  local first
  for _, answer in pairs(answers) do
    for _, action in ipairs(answer.result or {}) do
      table.insert(out, { kind = 'action', title = action.title })
      first = first or action
    end
  end
  if first and first.edit then vim.lsp.util.apply_workspace_edit(first.edit, 'utf-16') end
  vim.cmd('write')
end
vim.fn.writefile({ vim.fn.json_encode(out) }, 'result.json')
vim.lsp.stop_client(client)
vim.cmd('qa!')
"""


def run_neovim(folder: Path, apply: bool) -> list[dict[str, object]]:
    assert NVIM is not None
    script = folder / "client.lua"
    command = json.dumps([*polite_executable(), "lsp"])
    script.write_text(CLIENT.replace("{cmd}", command).replace("{apply}", "yes" if apply else "no"))
    run = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-u", "NONE", "-c", f"luafile {script}", "draft.txt"],
        cwd=folder,
        capture_output=True,
        timeout=120,
        check=False,
    )
    result = folder / "result.json"
    assert result.exists(), f"Neovim did not finish the client script: {run.stderr.decode(errors='replace')}"
    answer: list[dict[str, object]] = json.loads(result.read_text())
    return answer


def test_neovim_underlines_the_demand_and_applies_the_rewrite(tmp_path: Path) -> None:
    (tmp_path / "draft.txt").write_text(DRAFT, encoding="utf-8")
    results = run_neovim(tmp_path, apply=True)
    diagnostics = [r for r in results if r["kind"] == "diagnostic"]
    line = DRAFT.split("\n")[2]
    start = len(line[: line.index(DEMAND)].encode("utf-8"))
    assert diagnostics == [
        {
            "kind": "diagnostic",
            "line": 2,
            "col": start,
            "end_line": 2,
            "end_col": start + len(DEMAND),
            "code": "endorsement_swap.explicit",
            "source": "polite",
        }
    ]
    titles = [r["title"] for r in results if r["kind"] == "action"]
    assert titles[0] == "Rewrite this demand"
    assert sum(str(t).startswith("Say instead") for t in titles) >= 3
    assert any(str(t).startswith("Ignore endorsement_swap.explicit") for t in titles)
    assert (tmp_path / "draft.txt").read_text(encoding="utf-8") == DRAFT.replace(" " + DEMAND, "")


def test_neovim_honours_the_workspace_config(tmp_path: Path) -> None:
    two_demands = "I endorsed you, now endorse me back.\nI followed you, now follow me back.\n"
    (tmp_path / "draft.txt").write_text(two_demands, encoding="utf-8")
    (tmp_path / "polite.toml").write_text('ignore = ["endorsement_swap"]\n', encoding="utf-8")
    codes = [r["code"] for r in run_neovim(tmp_path, apply=False)]
    assert codes == ["follow_back.explicit"]
