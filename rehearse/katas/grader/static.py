"""Checks of a submission's source on the host, before anything runs.

The source is parsed (never executed) to find the kata's function and to decide whether
it can recurse: whether, in the graph of functions the submission defines, with an edge
from a function to every defined function whose name it mentions, some function
reachable from the kata's function lies on a cycle. That covers direct recursion,
mutual recursion and recursive helpers (nested or top-level), and also recursion through
``map(go, ...)`` or ``functools.reduce``. Mentioning a name is not calling it, and dead
code counts too, so the grader also checks recursion at run time in the sandbox; this
half cannot be tampered with by the code, since the code never runs here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass(frozen=True)
class SourceReport:
    """What the source says about the kata's function."""

    defines_function: bool
    recursive: bool


class _CallGraph(ast.NodeVisitor):
    """Functions defined anywhere in a module and the names each one mentions."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[_FunctionNode]] = {}
        self.top_level: dict[str, list[_FunctionNode]] = {}
        self.mentions: dict[_FunctionNode, set[str]] = {}
        self._scope: list[_FunctionNode] = []
        self._module_body: list[ast.stmt] = []

    def _define(self, name: str, node: _FunctionNode, *, top_level: bool) -> None:
        self.by_name.setdefault(name, []).append(node)
        if top_level:
            self.top_level.setdefault(name, []).append(node)
        self.mentions.setdefault(node, set())

    def _enter(self, node: _FunctionNode, body: list[ast.stmt] | ast.expr) -> None:
        self._scope.append(node)
        for child in body if isinstance(body, list) else [body]:
            self.visit(child)
        self._scope.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._define(node.name, node, top_level=not self._scope and node in self._module_body)
        # Decorators and defaults are evaluated in the enclosing scope.
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit(node.args)
        self._enter(node, node.body)

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Assign(self, node: ast.Assign) -> None:
        # name = lambda ...: a function too, and the kata's function may be written so.
        if isinstance(node.value, ast.Lambda):
            top_level = not self._scope and node in self._module_body
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._define(target.id, node.value, top_level=top_level)
            self.visit(node.value.args)
            self._enter(node.value, node.value.body)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if self._scope and isinstance(node.ctx, ast.Load):
            self.mentions[self._scope[-1]].add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # self.helper(...) or cls.helper(...) in a class-based answer.
        if self._scope:
            self.mentions[self._scope[-1]].add(node.attr)
        self.generic_visit(node)

    def collect(self, module: ast.Module) -> None:
        self._module_body = module.body
        for statement in module.body:
            self.visit(statement)

    def callees(self, node: _FunctionNode) -> list[_FunctionNode]:
        return [callee for name in self.mentions[node] for callee in self.by_name.get(name, [])]


def _reachable(graph: _CallGraph, starts: list[_FunctionNode]) -> set[_FunctionNode]:
    seen: set[_FunctionNode] = set()
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(graph.callees(node))
    return seen


def check_source(code: str, function_name: str) -> SourceReport:
    """Parse ``code`` and report on ``function_name``; raises ``SyntaxError`` if invalid.

    A NUL byte in the source (``ValueError``) and code nested too deeply to parse or walk
    (``RecursionError``, which would otherwise escape into the web process) are reported
    as ``SyntaxError`` too.
    """
    graph = _CallGraph()
    try:
        module = ast.parse(code, filename="<submission>")
        graph.collect(module)
    except ValueError as exc:
        raise SyntaxError(str(exc)) from exc
    except RecursionError as exc:
        raise SyntaxError("the code is nested too deeply") from exc
    starts = graph.top_level.get(function_name, [])
    recursive = any(
        node in _reachable(graph, graph.callees(node)) for node in _reachable(graph, starts)
    )
    return SourceReport(defines_function=bool(starts), recursive=recursive)
