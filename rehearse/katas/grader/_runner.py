"""The in-sandbox runner: loads one submission and runs its tests, reporting what it saw.

The project never imports this file. The supervisor (``_supervisor.py``) starts it
inside the bubblewrap sandbox as ``python3 -I -S -u -c <this file's source>``, one
process per attempt, with:

- fd 0: the job, JSON: a nonce, the code, the function's name, the recursion limit,
  the index of the first test, and the tests' *inputs*. Expected values never leave the
  host, so nothing in this process can read them.
- fd 1 and 2: a pipe the supervisor reads (capped) as the submission's output.
- fd 3: results for the supervisor: frames of a 4-byte big-endian length and ASCII JSON,
  each carrying the nonce: one "ready" or "load_error", then one "result" per test.

It reports observations (the returned value, the exception, whether a function of the
submission was re-entered while running); the host compares values and decides
verdicts. Before any submitted code runs, it arms in-process guards. They are defence in
depth on top of the sandbox, and what keeps the run-time recursion evidence and this
channel from being forged by the code under test:

- an audit hook, which cannot be removed, refuses every audited operation once the
  submission's own ``exec`` has started: importing a module that is not preloaded,
  ``open``, ``os.*``, sockets, ``ctypes``, reading frames (``sys._getframe``,
  ``tb_frame``, ``gi_frame``), ``gc`` introspection, ``sys.settrace``/``setprofile``,
  adding another audit hook, ``exec``/``compile``;
- the accessors that hand out the trace function or frames are deleted from ``sys``,
  and the modules this harness used are dropped from ``sys.modules``;
- the nonce, the writer of fd 3 and the recursion evidence live only in ``_main``'s
  locals and closures, which code can only reach through a frame object;
- after the submission starts, this harness only calls functions it bound beforehand,
  so rebinding builtins or module attributes cannot change what it reports, and the
  builtins and the recursion limit are restored after every test.
"""

from __future__ import annotations

from typing import Any

# What a submission may import; anything else is refused by the audit hook.
PRELOADED = (
    "bisect",
    "collections",
    "functools",
    "heapq",
    "itertools",
    "math",
    "operator",
    "string",
    "typing",
)
# Entry points to the trace function, frames and audit hooks.
HIDDEN_SYS_ATTRIBUTES = (
    "_current_exceptions",
    "_current_frames",
    "_getframe",
    "addaudithook",
    "getprofile",
    "gettrace",
    "monitoring",
    "setprofile",
    "settrace",
)
# Modules the harness or the preloaded modules imported that give file, process or fd
# access; dropped, "import os" becomes a real (audited, so refused) import.
DROPPED_MODULES = (
    "_imp",
    "_json",
    "genericpath",
    "json",
    "json.decoder",
    "json.encoder",
    "json.scanner",
    "marshal",
    "os",
    "os.path",
    "posix",
    "posixpath",
    "types",
)
# How many consecutive frames of the submission the recursion check walks back.
CALL_CHAIN_WINDOW = 64
# Nested lists/tuples deeper than this are not encoded (no kata returns such a value).
MAX_VALUE_DEPTH = 32
MAX_MESSAGE_CHARS = 500
# Frames the harness itself needs below the submission's recursion limit.
HARNESS_FRAMES = 100
SUBMISSION_FILENAME = "<submission>"


def _main() -> None:
    import builtins
    import posix
    import sys
    import types
    from json import loads
    from json.encoder import encode_basestring_ascii

    read, write, exit_now = posix.read, posix.write, posix._exit

    chunks = []
    while True:
        chunk = read(0, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    job = loads(b"".join(chunks))
    del chunks
    nonce: str = job["nonce"]
    source: str = job["code"]
    function_name: str = job["function"]
    first: int = job["first"]
    tests: list[list[Any]] = job["tests"]
    recursion_limit: int = job["recursion_limit"]
    del job

    # Bound now: after the submission starts, names are looked up in nothing it can patch.
    type_, str_, int_, float_, bool_, list_, tuple_ = type, str, int, float, bool, list, tuple
    hex_, repr_, len_, enumerate_, callable_ = hex, repr, len, enumerate, callable
    memoryview_ = memoryview
    base_exception, memory_error, permission_error = BaseException, MemoryError, PermissionError
    window, max_depth, max_chars = CALL_CHAIN_WINDOW, MAX_VALUE_DEPTH, MAX_MESSAGE_CHARS
    harness_frames = HARNESS_FRAMES
    name_of = type.__dict__["__name__"].__get__  # a class's real name, whatever its metaclass
    generator_type = types.GeneratorType
    join = ",".join
    builtins_dict = builtins.__dict__
    builtins_saved = dict(builtins_dict)
    builtins_clear, builtins_update = builtins_dict.clear, builtins_dict.update
    stdout_flush = sys.stdout.flush
    gettrace, settrace, add_audit_hook = sys.gettrace, sys.settrace, sys.addaudithook
    get_recursion_limit, set_recursion_limit = sys.getrecursionlimit, sys.setrecursionlimit

    def dump(obj: Any) -> str:
        """JSON text for the messages this harness builds (never the submission's objects)."""
        kind = type_(obj)
        if obj is None:
            return "null"
        if obj is True:
            return "true"
        if obj is False:
            return "false"
        if kind is str_:
            return str_(encode_basestring_ascii(obj))
        if kind is int_:
            return repr_(obj)
        if kind is list_:
            return "[" + join([dump(item) for item in obj]) + "]"
        return (
            "{" + join([encode_basestring_ascii(k) + ":" + dump(v) for k, v in obj.items()]) + "}"
        )

    def send(message: dict[str, Any]) -> None:
        message["nonce"] = nonce
        data = dump(message).encode("ascii")
        view = memoryview_(len_(data).to_bytes(4, "big") + data)
        while view:
            view = view[write(3, view) :]

    def encode(value: Any, depth: int) -> Any:
        """The returned value as JSON data, decided by exact type so no submitted code runs."""
        kind = type_(value)
        if value is None or kind is bool_ or kind is str_:
            return value
        if kind is int_:
            # Hex, because int <-> decimal str is capped at 4,300 digits and 2,000! has 5,736.
            return {"int": hex_(value)}
        if kind is float_:
            return {"float": repr_(value)}
        if kind is list_ or kind is tuple_:
            if depth >= max_depth:
                return {"type": "a list nested too deeply"}
            return [encode(item, depth + 1) for item in value]
        return {"type": name_of(kind)}

    def describe(exc: BaseException) -> str:
        """The last line of a traceback: 'TypeName: message', truncated."""
        name: str = name_of(type_(exc))
        try:
            text = str_(exc)  # may run submitted code (a custom __str__): that is fine here
        except base_exception:
            text = "<unprintable message>"
        line = name + ": " + text if text else name
        return line if len_(line) <= max_chars else line[:max_chars] + "..."

    for module in PRELOADED:
        __import__(module)
    try:
        code = compile(source, SUBMISSION_FILENAME, "exec", dont_inherit=True)
    except base_exception as exc:
        send({"t": "load_error", "error": describe(exc)})
        exit_now(0)
    del source
    namespace: dict[str, Any] = {"__name__": "__submission__", "__builtins__": builtins}

    # Recursion evidence: a function of the submission entered while a frame of the same
    # function is among the last CALL_CHAIN_WINDOW consecutive frames of the submission
    # (direct recursion, or through helpers, decorators, map(), comprehensions).
    observed = [False]

    def tracer(frame: Any, event: str, arg: Any) -> None:
        if observed[0] or frame.f_globals is not namespace:
            return
        code_object = frame.f_code
        back = frame.f_back
        steps = 0
        while back is not None and steps < window:
            if back.f_globals is not namespace:
                return
            if back.f_code is code_object:
                observed[0] = True
                return
            back = back.f_back
            steps += 1
        # Returning None: no per-line tracing, only "call" events reach this function.

    exec_allowed = [code]
    settrace_allowed = [False]

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event == "object.__getattr__" and args[1] == "f_code":
            return  # the tracer reads f_code; the submission has no frame to read it from
        if event == "exec" and exec_allowed and args[0] is exec_allowed[0]:
            exec_allowed.pop()
            return
        if event == "sys.settrace" and settrace_allowed[0]:
            return
        if event == "import":
            raise permission_error(
                "import " + str_(args[0]) + " is not permitted in the kata sandbox"
            )
        raise permission_error(event + " is not permitted in the kata sandbox")

    def arm_tracer() -> None:
        if gettrace() is not tracer:
            settrace_allowed[0] = True
            try:
                settrace(tracer)
            finally:
                settrace_allowed[0] = False

    sys.setrecursionlimit(recursion_limit)
    settrace(tracer)
    for attribute in HIDDEN_SYS_ATTRIBUTES:
        if attribute in sys.__dict__:
            delattr(sys, attribute)
    for module in DROPPED_MODULES:
        sys.modules.pop(module, None)
    add_audit_hook(audit)

    load_error = ""
    try:
        exec(code, namespace)  # noqa: S102 - running the submission is this file's job
    except memory_error:
        load_error = "MemoryError while loading your code"
    except base_exception as exc:
        load_error = describe(exc)
    builtins_clear()
    builtins_update(builtins_saved)
    del code
    function: Any = namespace.get(function_name)
    if not load_error and (function is None or not callable_(function)):
        load_error = "NameError: define a function named " + function_name
    if load_error:
        send({"t": "load_error", "error": load_error})
        exit_now(0)
    # The module may have raised the limit for its recursion: that choice holds for every
    # test (with room left for this harness), whatever a single test changes.
    recursion_limit = max(get_recursion_limit(), harness_frames)
    send({"t": "ready"})

    for offset, args in enumerate_(tests):
        observed[0] = False
        arm_tracer()
        message: dict[str, Any] = {"t": "result", "i": first + offset}
        try:
            value = function(*args)
            if type_(value) is generator_type:
                value = list_(value)
            message["value"] = encode(value, 0)
            message["status"] = "ok"
            del value
        except memory_error:
            message["status"] = "memory"
            message["error"] = "MemoryError"
        except base_exception as exc:
            message["status"] = "raised"
            message["error"] = describe(exc)
            del exc
        message["recursed"] = observed[0]
        # Undo what the test may have changed for the next one (and for send()).
        builtins_clear()
        builtins_update(builtins_saved)
        set_recursion_limit(recursion_limit)
        send(message)

    try:
        stdout_flush()
    finally:
        exit_now(0)


if __name__ == "__main__":
    _main()
