"""A Jinja sandbox whose resources are bounded: loop turns, CPU time, sizes, macro depth.

jinja2's sandbox keeps a template away from Python internals but not from exhausting the
machine. Measured with jinja2 3.1.6 (issue 17): `{{ 10**(10**9) }}` hangs in `from_string`
(constant folding of `**`), two nested `range(100000)` loops run for hours, `'a'*10**9` and
`'%01500000000d'%1` end in MemoryError, a recursive macro in RecursionError. Clauses and Word
frames are written by legal staff or received from others: each of those is now a
`RenderLimitError` (a `TemplateError`, so callers report it with the clause's file and line).

How each resource is bounded, inside the rendering thread (any thread; no signal, no worker):
- loop turns: every `{% for %}` iterates through `BoundedEnvironment.bounded_iter` (the code
  generator wraps the iterable), which counts the turns of one render (`Limits.loop_turns`);
- CPU time: `time.thread_time()` (this thread's CPU time, so a loaded machine does not fail a
  render) is compared with the render's deadline every 1024 loop turns or calls;
- sizes: `*`, `**`, `%`, `+` are intercepted (which also stops the constant folding that hung
  at compile time), and so are the string methods and filters that can multiply a size
  (`center`, `replace`, `join`, `indent`, `format`…): the size of their result is checked
  *before* it is built; every result of an operator, call, filter or `~` is checked after;
- output: `concat` (the join of every render, macro and block) stops at `Limits.output_chars`;
- recursion: macro calls deeper than `Limits.macro_depth`; any other RecursionError, a
  MemoryError or a missing `%`/`format` key, raised while parsing or rendering, becomes a
  `RenderLimitError` too. `lipsum()` is removed; mutating methods (`list.append`) are refused
  (as `ImmutableSandboxedEnvironment` does): no template of the library needs them.

The per-render state (`Budget`) lives in the render's `Context`, so concurrent renders of one
template in several threads do not share it.
"""

from __future__ import annotations

import functools
import inspect
import re
import string
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateExpression
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment


@dataclass(frozen=True)
class Limits:
    """What one render of one template may use."""

    loop_turns: int = 100_000  # all loops of the render together
    cpu_seconds: float = 5.0  # CPU time of the rendering thread
    value_chars: int = 2_000_000  # length of any text or list the template builds
    output_chars: int = 2_000_000  # length of the render's output
    macro_depth: int = 50
    int_bits: int = 10_000  # about 3 000 digits
    format_width: int = 10_000  # widths and precisions in `%` and `str.format`


class RenderLimitError(TemplateError):
    """Raised when a template exceeds one of its `Limits` (or fails in a way a template
    written by anyone can cause: recursion, memory). The message is French."""


def _thousands(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


class Budget:
    """Counters of one render; checked by the hooks of `BoundedEnvironment`.

    The CPU clock is first read after 1024 turns or calls: most renders never read it, and
    the first 1024 steps are bounded work (each step's sizes are bounded).
    """

    __slots__ = ("limits", "turns", "ticks", "depth", "deadline")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.turns = 0
        self.ticks = 0
        self.depth = 0
        self.deadline = 0.0

    def turn(self) -> None:
        self.turns += 1
        if self.turns > self.limits.loop_turns:
            raise RenderLimitError(
                f"boucle trop longue (plus de {_thousands(self.limits.loop_turns)} tours)"
            )
        if not self.turns & 1023:
            self.clock()

    def tick(self) -> None:
        self.ticks += 1
        if not self.ticks & 1023:
            self.clock()

    def clock(self) -> None:
        now = time.thread_time()
        if not self.deadline:
            self.deadline = now + self.limits.cpu_seconds
        elif now > self.deadline:
            seconds = f"{self.limits.cpu_seconds:g}".replace(".", ",")
            raise RenderLimitError(f"calcul trop long (plus de {seconds}\u00a0s de calcul)")


class BoundedContext(Context):
    """A render's context, carrying its `Budget` (made on first use: most renders of a clause
    have no loop and no call)."""

    @functools.cached_property
    def budget(self) -> Budget:
        return Budget(self.environment.limits)  # type: ignore[attr-defined]


class BoundedCodeGenerator(CodeGenerator):
    """Compiles every loop's iterable through `bounded_iter`, every `~` through `sized`.

    (jinja2 refuses new node types, so the loop's iterable node is marked by identity.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: set[int] = set()

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loop_iterables.add(id(node.iter))
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) not in self._loop_iterables:
            return super().visit(node, *args, **kwargs)
        self.write("environment.bounded_iter(context, ")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedExpression(TemplateExpression):
    """`compile_expression`'s result, with the same error translation as a render."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except (RecursionError, MemoryError, LookupError) as exc:
            raise _translated(exc).with_traceback(exc.__traceback__) from None


def _translated(exc: BaseException) -> RenderLimitError:
    if isinstance(exc, RecursionError):
        return RenderLimitError("imbrication trop profonde (appels ou boucles récursifs)")
    if isinstance(exc, MemoryError):
        return RenderLimitError("mémoire insuffisante pour produire ce texte")
    return RenderLimitError(f"clé ou position absente : {exc}")


def _deepest_line(source: str) -> int:
    """Line where brackets and blocks nest deepest: where a too-deep text is to be fixed."""
    depth = best = 0
    line = best_line = 1
    for m in re.finditer(r"[\n([{]|[)\]}]|\{%-?\s*(?:if|for|macro|call|filter|with|set)\b", source):
        token = m.group()
        if token == "\n":
            line += 1
        elif token in ")]}":
            depth -= 1
        else:
            depth += 1
            if depth > best:
                best, best_line = depth, line
    return best_line


_STR_FORMAT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0 +-]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d+))?[hlL]?(?P<conv>.?)"
)


def _printed_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(str(value))


_MUTATORS = frozenset(
    "add append appendleft clear difference_update discard extend extendleft insert"
    " intersection_update pop popitem popleft remove reverse rotate setdefault sort"
    " symmetric_difference_update update".split()
)


class BoundedEnvironment(SandboxedEnvironment):
    """`SandboxedEnvironment` with `Limits` (see the module docstring).

    Mutating methods of lists, dicts and sets are refused, as `ImmutableSandboxedEnvironment`
    does, but by concrete type: its ABC checks made every attribute access 50 % slower.
    """

    code_generator_class = BoundedCodeGenerator
    context_class = BoundedContext
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *, limits: Limits | None = None, **options: Any) -> None:
        self.limits = limits or Limits()
        super().__init__(**options)
        self.globals["range"] = self.bounded_range
        self.globals.pop("lipsum", None)
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = self._guarded_filter(self.filters[name], check)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in _MUTATORS and isinstance(obj, (list, dict, set, deque, bytearray)):
            return False
        return super().is_safe_attribute(obj, attr, value)

    # -- errors -----------------------------------------------------------------------------

    def handle_exception(self, source: str | None = None) -> Any:
        try:
            super().handle_exception(source)
        except (RecursionError, MemoryError, LookupError) as exc:
            raise _translated(exc).with_traceback(exc.__traceback__) from None

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        try:
            return super()._parse(source, name, filename)
        except (RecursionError, MemoryError) as exc:
            raise TemplateSyntaxError(
                "texte trop imbriqué (parenthèses, crochets ou blocs)",
                _deepest_line(source),
                name,
                filename,
            ) from exc

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> Any:
        try:
            expression = super().compile_expression(source, undefined_to_none)
        except (RecursionError, MemoryError) as exc:
            raise TemplateSyntaxError("expression trop imbriquée", 1, None, None) from exc
        return BoundedExpression(expression._template, undefined_to_none)

    # -- sizes ------------------------------------------------------------------------------

    def too_long(self, size: int, what: str = "texte") -> RenderLimitError:
        limit = _thousands(self.limits.value_chars)
        if what == "texte":
            return RenderLimitError(
                f"texte produit trop long ({_thousands(size)} caractères ; au plus {limit})"
            )
        return RenderLimitError(
            f"liste trop longue ({_thousands(size)} éléments ; au plus {limit})"
        )

    def sized(self, value: Any) -> Any:
        """`value`, or an error when it is a text, list or number over the limits."""
        if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
            if len(value) > self.limits.value_chars:
                raise self.too_long(len(value), "texte" if isinstance(value, str) else "liste")
        elif isinstance(value, int) and value.bit_length() > self.limits.int_bits:
            raise self._number_error()
        return value

    def _number_error(self) -> RenderLimitError:
        digits = _thousands(self.limits.int_bits * 0.30103)
        return RenderLimitError(f"nombre trop grand (plus de {digits} chiffres)")

    def _need(self, size: int, what: str = "texte") -> None:
        if size > self.limits.value_chars:
            raise self.too_long(size, what)

    def _width(self, width: Any, what: str = "texte") -> None:
        if isinstance(width, int) and width > self.limits.value_chars:
            raise self.too_long(width, what)

    # -- loops, calls, output ---------------------------------------------------------------

    def bounded_iter(self, context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
        budget: Budget = context.budget  # type: ignore[attr-defined]
        for item in iterable:
            budget.turn()
            yield item

    def bounded_range(self, *args: int) -> range:
        numbers = range(*args)
        try:
            size = len(numbers)
        except OverflowError:
            size = self.limits.loop_turns + 1
        if size > self.limits.loop_turns:
            raise RenderLimitError(
                f"intervalle trop grand : range() de plus de"
                f" {_thousands(self.limits.loop_turns)} nombres"
            )
        return numbers

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        limit = self.limits.output_chars
        if isinstance(parts, list):
            total = sum(map(len, parts))
            if total > limit:
                raise self._output_error()
            return "".join(parts)
        out: list[str] = []
        append = out.append
        total = 0
        for piece in parts:
            total += len(piece)
            if total > limit:
                throw = getattr(parts, "throw", None)
                if throw is not None:  # raised at the template's line that went over
                    throw(self._output_error())
                raise self._output_error()
            append(piece)
        return "".join(out)

    def _output_error(self) -> RenderLimitError:
        return RenderLimitError(
            f"texte produit trop long (plus de {_thousands(self.limits.output_chars)} caractères)"
        )

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget: Budget = context.budget  # type: ignore[attr-defined]
        budget.tick()
        owner = getattr(obj, "__self__", None)
        if isinstance(owner, (str, bytes)):
            args = self._check_text_method(owner, obj.__name__, args, kwargs)
        if not isinstance(obj, Macro):
            return self.sized(super().call(context, obj, *args, **kwargs))
        if budget.depth >= self.limits.macro_depth:
            raise RenderLimitError(
                f"macro « {obj.name} » appelée récursivement trop profondément"
                f" (plus de {self.limits.macro_depth} niveaux)"
            )
        budget.depth += 1
        try:
            return self.sized(super().call(context, obj, *args, **kwargs))
        finally:
            budget.depth -= 1

    def _check_text_method(
        self, text: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Any, ...]:
        """Refuse a string method call whose result would be over the size limit."""
        if name in ("center", "ljust", "rjust", "zfill"):
            self._width(args[0] if args else kwargs.get("width"))
        elif name == "expandtabs":
            tabsize = args[0] if args else kwargs.get("tabsize", 8)
            if isinstance(tabsize, int):
                tabs = text.count("\t") if isinstance(text, str) else text.count(b"\t")
                self._need(len(text) + tabs * tabsize)
        elif name == "replace" and len(args) >= 2:
            self._need(_replaced_len(text, *args[:3]))
        elif name == "join" and args:
            items = list(args[0])
            self._need(_joined_len(text, items), "texte")
            return (items, *args[1:])
        elif name == "translate" and args and isinstance(args[0], Mapping):
            longest = max((_printed_len(v) for v in args[0].values() if v is not None), default=1)
            self._need(len(text) * longest)
        return args

    # -- operators --------------------------------------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            self._check_power(left, right)
        elif operator == "*":
            self._check_product(left, right)
        elif operator == "%" and isinstance(left, str):
            self._check_percent(left, right)
        try:
            return self.sized(super().call_binop(context, operator, left, right))
        except LookupError as exc:  # '%(nom)s' % {} : said like any other template error
            raise RenderLimitError(f"format « % » : clé ou valeur absente ({exc})") from exc

    def _check_power(self, base: Any, exponent: Any) -> None:
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
            if (abs(base).bit_length() - 1) * exponent > self.limits.int_bits:
                raise self._number_error()

    def _check_product(self, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > self.limits.int_bits:
                raise self._number_error()
        for seq, times in ((left, right), (right, left)):
            if isinstance(times, int) and isinstance(seq, (str, bytes, list, tuple)):
                self._need(len(seq) * max(times, 0), "texte" if isinstance(seq, str) else "liste")

    def _check_percent(self, fmt: str, values: Any) -> None:
        """`fmt % values`: widths bounded, and `%(nom)s` repeated over a long value refused."""
        count = 0
        keys: set[str] = set()
        for m in _STR_FORMAT_SPEC.finditer(fmt):
            if m.group("conv") == "%":
                continue
            count += 1
            self._check_spec_numbers(m.group("width"), m.group("prec"))
            if m.group("key") is not None:
                keys.add(m.group("key"))
        if keys and isinstance(values, Mapping):
            longest = max((_printed_len(values[k]) for k in keys if k in values), default=0)
            self._need(len(fmt) + count * longest)

    def _check_spec_numbers(self, *numbers: str | None) -> None:
        for n in numbers:
            if n == "*":
                raise RenderLimitError("format : largeur variable (« * ») non permise")
            if n and int(n) > self.limits.format_width:
                raise RenderLimitError(
                    f"format : largeur ou précision {n} trop grande"
                    f" (au plus {_thousands(self.limits.format_width)})"
                )

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        template: str = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            self._check_braces(template, args, kwargs)
            try:
                return self.sized(formatter(*args, **kwargs))  # type: ignore[misc]
            except LookupError as exc:
                raise RenderLimitError(f"format : clé ou position absente ({exc})") from exc

        return functools.update_wrapper(checked, formatter)

    def _check_braces(self, template: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        count = 0
        for _literal, field, spec, _conversion in string.Formatter().parse(template):
            if field is None:
                continue
            count += 1
            if spec and "{" in spec:
                self._check_spec_numbers("*")
            for n in re.findall(r"\d+", spec or ""):
                self._check_spec_numbers(n)
        values = [*args, *kwargs.values()]
        if len(values) == 1 and isinstance(values[0], Mapping):  # format_map
            values = list(values[0].values())
        longest = max((_printed_len(v) for v in values), default=0)
        self._need(len(template) + count * longest)

    # -- filters ----------------------------------------------------------------------------

    def _guarded_filter(
        self, func: Callable[..., Any], check: Callable[[BoundedEnvironment, dict], None]
    ) -> Callable[..., Any]:
        signature = inspect.signature(func)
        # jinja's async-aware filters (slice, batch…) receive an eval context their
        # signature does not show: it is passed through, not bound.
        first = next(iter(signature.parameters), "")
        hidden = int(
            getattr(func, "jinja_pass_arg", None) is not None
            and first not in ("environment", "eval_ctx", "context")
        )

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args[hidden:], **kwargs)
            except TypeError:
                return func(*args, **kwargs)  # jinja says what is wrong with the arguments
            bound.apply_defaults()
            check(self, bound.arguments)
            return self.sized(func(*args[:hidden], *bound.args, **bound.kwargs))

        return guarded


def _replaced_len(text: str | bytes, old: Any, new: Any, count: Any = -1) -> int:
    if not isinstance(old, type(text)) or not isinstance(new, type(text)):
        return len(text)
    hits = text.count(old) if old else len(text) + 1  # type: ignore[arg-type]
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * (len(new) - len(old))


def _joined_len(separator: str | bytes, items: list[Any]) -> int:
    return len(separator) * max(len(items) - 1, 0) + sum(
        len(x) if isinstance(x, (str, bytes)) else 0 for x in items
    )


def _check_center(env: BoundedEnvironment, a: dict) -> None:
    env._width(a.get("width"))


def _check_indent(env: BoundedEnvironment, a: dict) -> None:
    width = a.get("width")
    per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    env._width(per_line)
    env._need((str(a.get("s", "")).count("\n") + 1) * per_line)


def _check_wordwrap(env: BoundedEnvironment, a: dict) -> None:
    wrap = a.get("wrapstring")
    width = a.get("width")
    if isinstance(wrap, str) and isinstance(width, int) and width > 0:
        env._need((len(str(a.get("s", ""))) // width + 1) * len(wrap))


def _check_join(env: BoundedEnvironment, a: dict) -> None:
    items = list(a["value"]) if isinstance(a.get("value"), Iterable) else a.get("value")
    a["value"] = items
    separator = a.get("d")
    if isinstance(items, list) and isinstance(separator, str):
        env._need(_joined_len(separator, [x if isinstance(x, str) else "" for x in items]))


def _check_replace(env: BoundedEnvironment, a: dict) -> None:
    count = a.get("count")
    text = a.get("s")
    if isinstance(text, str):
        env._need(_replaced_len(text, a.get("old"), a.get("new"), -1 if count is None else count))


def _check_count(key: str) -> Callable[[BoundedEnvironment, dict], None]:
    def check(env: BoundedEnvironment, a: dict) -> None:
        env._width(a.get(key), "liste")

    return check


def _check_format(env: BoundedEnvironment, a: dict) -> None:
    value = a.get("value")
    if isinstance(value, str):
        env._check_percent(value, a.get("kwargs") or a.get("args"))


def _check_sum(env: BoundedEnvironment, a: dict) -> None:
    if not isinstance(a.get("start", 0), (int, float)):
        raise RenderLimitError("sum : seuls des nombres s'additionnent")


def _check_tojson(env: BoundedEnvironment, a: dict) -> None:
    indent = a.get("indent")
    if isinstance(indent, int) and indent > 16:
        raise RenderLimitError("tojson : indentation trop grande (au plus 16)")


_FILTER_CHECKS: dict[str, Callable[[BoundedEnvironment, dict], None]] = {
    "center": _check_center,
    "indent": _check_indent,
    "wordwrap": _check_wordwrap,
    "join": _check_join,
    "replace": _check_replace,
    "batch": _check_count("linecount"),
    "slice": _check_count("slices"),
    "format": _check_format,
    "sum": _check_sum,
    "tojson": _check_tojson,
}
