#!/usr/bin/env python3
"""Generate the bundled `support_assistant` sample session for labeler, from the data files.

Everything is invented: the shop ("Harbor & Pine"), its policies, the customers, their orders,
e-mail addresses (all @example.com), phone numbers (555-01xx) and payment cards (well-known test
numbers such as 4111 1111 1111 1111). No real person or real conversation is in this data.

    python3 sample_sessions/support_assistant/generate.py            # write, then validate
    python3 sample_sessions/support_assistant/generate.py --check    # compare with shipped files
    python3 sample_sessions/support_assistant/generate.py --out DIR  # write somewhere else

The session ships inside the package (labeler/sample_data/support_assistant/); this program and
its data (data/: the shop, the taxonomy, the plan, one [[scenario]] per kind of conversation)
stay in the source tree. README.md next to this file describes the data format. Standard library
only (Python 3.11+). One `random.Random(SEED)` drives every choice, in the order the plan and the
scenarios' steps make them, so the files are the same byte for byte on every run.

A scenario's steps and template fields are expressions over NAMESPACE (see Session) and nothing
else: `_safe` refuses statements other than assignments and calls, and private attributes.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import random
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

SEED = 20261126
N_CASES = 180
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
OUT = HERE.parents[1] / "labeler" / "sample_data" / "support_assistant"
FILES = ("cases.jsonl", "labels.csv", "taxonomy.toml")

D = dt.date
TD = dt.timedelta


def load(name: str) -> dict[str, Any]:
    with open(DATA / name, "rb") as f:
        return tomllib.load(f)


WORLD = load("world.toml")
PLAN = load("plan.toml")
BUCKETS = load("buckets.toml")["bucket"]

# --------------------------------------------------------------------------------------------
# Formatting helpers (available to templates)
# --------------------------------------------------------------------------------------------


def md(d: dt.date) -> str:
    return f"{d.strftime('%B')} {d.day}"


def mdy(d: dt.date) -> str:
    return f"{md(d)}, {d.year}"


def short(d: dt.date) -> str:
    return f"{d.strftime('%b')} {d.day}"


def wd(d: dt.date) -> str:
    return f"{d.strftime('%a')}, {short(d)}"


def iso(d: dt.date) -> str:
    return d.isoformat()


def usd(x: float) -> str:
    return f"${x:,.2f}"


def de_date(d: dt.date) -> str:
    return f"{d.day:02d}.{d.month:02d}."


def fr_date(d: dt.date) -> str:
    return f"{d.day} {WORLD['months']['fr'][d.month - 1]}"


def es_date(d: dt.date) -> str:
    return f"{d.day} de {WORLD['months']['es'][d.month - 1]}"


def ja_date(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def biz_days(d: dt.date, n: int) -> dt.date:
    """Add n business days (Mon-Fri)."""
    while n > 0:
        d += TD(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def nick(name: str) -> str:
    """What a customer calls a product: 'skillet' for 'Cast-iron skillet, 12 inch'."""
    return str(WORLD["nick"].get(name, name.split(",")[0].lower()))


def plural(name: str) -> bool:
    return nick(name) in WORLD["plural_nicks"]


def it(name: str) -> str:
    """'it' or 'them' for a product, as a customer would say."""
    return "them" if plural(name) else "it"


def be(name: str, present: bool = True) -> str:
    if present:
        return "are" if plural(name) else "is"
    return "were" if plural(name) else "was"


def pretty(name: str) -> str:
    """Product name as an agent would write it: 'Enameled Dutch oven (5.5 qt)'."""
    head, _, tail = name.partition(", ")
    return f"{head} ({tail})" if tail else head


def pol(key: str) -> dict[str, str]:
    """A policy article as a retrieved document."""
    title, text, source = (WORLD["policy"][key][k] for k in ("title", "text", "source"))
    return {"title": title, "text": text, "source": source}


def order_doc(
    o: str,
    p: dict[str, str],
    items: list[tuple[str, float, int]],
    placed: dt.date,
    status: str,
    shipping: str = "Standard (free)",
    extra: list[str] | None = None,
    discount: str | None = None,
) -> dict[str, str]:
    lines = [
        f"Order {o}",
        f"Customer: {p['name']} <{p['email']}>",
        f"Placed: {iso(placed)}",
        f"Status: {status}",
    ]
    for name, price, qty in items:
        lines.append(f"Item: {name} x{qty} @ {usd(price)}")
    if discount:
        lines.append(f"Discount: {discount}")
    lines.append(f"Shipping: {shipping}")
    lines.append(f"Payment: {p['card_brand']} ending {p['last4']}")
    lines.append(f"Ship to: {p['address']}")
    lines += extra or []
    return {"title": f"Order {o}", "text": "\n".join(lines), "source": f"orders-db/{o}"}


def return_doc(rma: str, o: str, lines: list[str]) -> dict[str, str]:
    return {
        "title": f"Return {rma} (order {o})",
        "text": "\n".join(lines),
        "source": f"returns-db/{rma}",
    }


def email_thread_doc(
    ticket: str, subject: str, msgs: list[tuple[str, dt.date, str]]
) -> dict[str, str]:
    parts = []
    for sender, d, body in msgs:
        parts.append(f"From: {sender}\nDate: {wd(d)}, {d.year}\nSubject: {subject}\n\n{body}")
    return {
        "title": f"Email thread: {subject}",
        "text": "\n\n-----\n\n".join(parts),
        "source": f"helpdesk/tickets/{ticket}",
    }


def chat(*turns: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in turns]


def cut_off(text: str, fraction: float) -> str:
    """The start of text, cut at a word as a max-token limit would; never right after a number
    (a cut after "October 2" would read as a wrong date, not as a cut)."""
    words = text[: max(40, int(len(text) * fraction))].split(" ")[:-1]
    while words and any(c.isdigit() for c in words[-1]):
        words.pop()
    return " ".join(words).rstrip(",;:")


def parses(text: str | None) -> bool:
    """Whether text is valid JSON."""
    try:
        json.loads(text or "")
    except json.JSONDecodeError:
        return False
    return True


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


# --------------------------------------------------------------------------------------------
# Templates: text with {expression} and {expression:format} fields; {{ and }} are braces
# --------------------------------------------------------------------------------------------

Template = list[str | tuple[CodeType, str]]
_TEMPLATES: dict[str, Template] = {}


Node = TypeVar("Node", bound=ast.AST)


def _safe(tree: Node, where: str) -> Node:
    """Refuse anything in the data that is not a plain expression or assignment."""
    for node in ast.walk(tree):
        bad = (
            isinstance(node, ast.stmt) and not isinstance(node, ast.Assign | ast.Expr)
        ) or isinstance(node, ast.Lambda | ast.NamedExpr | ast.Await | ast.Yield | ast.YieldFrom)
        bad = bad or (isinstance(node, ast.Attribute) and node.attr.startswith("_"))
        bad = bad or (isinstance(node, ast.Name) and node.id.startswith("__"))
        if bad:
            raise ValueError(f"{where}: not allowed in the data: {ast.unparse(node)[:80]}")
    return tree


def _field_end(text: str, i: int) -> tuple[int, int]:
    """From just after '{': the index of the closing '}' and of the format ':' (or -1)."""
    depth, colon = 0, -1
    while i < len(text):
        c = text[i]
        if c in "'\"":
            i = text.index(c, i + 1)
        elif c in "([{":
            depth += 1
        elif c in ")]" or (c == "}" and depth):
            depth -= 1
        elif c == "}":
            return i, colon
        elif c == ":" and depth == 0 and colon < 0:
            colon = i
        i += 1
    raise ValueError(f"unclosed {{ in template: {text[:80]!r}")


def parse_template(text: str) -> Template:
    if text in _TEMPLATES:
        return _TEMPLATES[text]
    parts: Template = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{}" and text.startswith(c * 2, i):
            literal.append(c)
            i += 2
        elif c == "}":
            raise ValueError(f"single }} in template: {text[:80]!r}")
        elif c == "{":
            end, colon = _field_end(text, i + 1)
            expr = text[i + 1 : colon if colon >= 0 else end]
            spec = text[colon + 1 : end] if colon >= 0 else ""
            tree = _safe(ast.parse(expr.strip(), mode="eval"), f"template field {{{expr}}}")
            parts.append("".join(literal))
            parts.append((compile(tree, "<template>", "eval"), spec))
            literal = []
            i = end + 1
        else:
            literal.append(c)
            i += 1
    parts.append("".join(literal))
    _TEMPLATES[text] = parts
    return parts


def render(text: str, env: dict[str, Any]) -> str:
    out = []
    for part in parse_template(text):
        if isinstance(part, str):
            out.append(part)
        else:
            code, spec = part
            out.append(format(eval(code, env), spec))
    return "".join(out)


def fill(value: Any, env: dict[str, Any]) -> Any:
    """Fill every template in value (a string, or lists and tables of them)."""
    if isinstance(value, str):
        return render(value, env)
    if isinstance(value, list):
        return [fill(v, env) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, env) for k, v in value.items()}
    return value


class Text:
    """`T` in the steps: the routine's templates, by name (T.input), not yet filled."""

    def __init__(self, entries: dict[str, Any]) -> None:
        self._entries = entries

    def __getattr__(self, name: str) -> Any:
        try:
            return self._entries[name]
        except KeyError:
            raise AttributeError(f"no template {name!r}") from None


# --------------------------------------------------------------------------------------------
# The invented world: random but deterministic customers, orders and dates
# --------------------------------------------------------------------------------------------


class World:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self._orders: set[str] = set()
        self._people: set[str] = set()
        self._decks: dict[str, list[int]] = {}

    def person(self, lang: str | None = None) -> dict[str, str]:
        r = self.r
        while True:
            if lang:
                firsts, lasts = WORLD["lang_names"][lang]
                first, last = r.choice(firsts), r.choice(lasts)
            else:
                first, last = r.choice(WORLD["first_names"]), r.choice(WORLD["last_names"])
            if f"{first} {last}" not in self._people:
                break
        self._people.add(f"{first} {last}")
        f, la = ascii_fold(first).lower(), ascii_fold(last).lower()
        style = r.randrange(4)
        local = [f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}{r.randint(10, 99)}", f"{f}_{la}"][style]
        city, state, zip3 = r.choice(WORLD["cities"])
        card = r.choice(WORLD["cards"])
        return {
            "first": first,
            "last": last,
            "name": f"{first} {last}",
            "email": f"{local}@example.com",
            "phone": f"({r.choice(WORLD['area_codes'])}) 555-01{r.randint(0, 99):02d}",
            "address": f"{r.randint(3, 980)} {r.choice(WORLD['streets'])}, {city}, {state} "
            f"{zip3}{r.randint(10, 99)}",
            "zip": f"{zip3}{r.randint(10, 99)}",
            "card_brand": card[0],
            "card_full": card[1],
            "last4": card[2],
        }

    def deal(self, deck: str, n: int) -> int:
        """Next index from a shuffled deck of n, reshuffled when used up (spreads repeats)."""
        cards = self._decks.setdefault(deck, [])
        if not cards:
            cards.extend(range(n))
            self.r.shuffle(cards)
        return cards.pop()

    def order(self) -> str:
        while True:
            o = f"HP-{self.r.randint(300000, 899999)}"
            if o not in self._orders:
                self._orders.add(o)
                return o

    def rma(self) -> str:
        return f"RMA-{self.r.randint(20000, 69999)}"

    def tracking(self) -> str:
        return "1Z" + "".join(self.r.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(16))

    def product(self, cat: str | None = None, not_cat: str | None = None) -> list[Any]:
        pool = [p for p in PRODUCTS if (cat is None or p[2] == cat) and p[2] != not_cat]
        return self.r.choice(pool)

    def product_named(self, names: dict[str, str]) -> list[Any]:
        return self.r.choice([x for x in PRODUCTS if x[0] in names])

    def day(self, lo: dt.date | None = None, hi: dt.date | None = None) -> dt.date:
        """A random date, by default in the weeks this sample covers."""
        lo = lo or WORLD["first_day"]
        hi = hi or WORLD["last_day"]
        return lo + TD(days=self.r.randint(0, (hi - lo).days))

    def greet(self, p: dict[str, str]) -> str:
        return self.r.choice([render(g, {"p": p}) for g in WORLD["greetings"]])

    def strip_greeting(self, text: str, p: dict[str, str]) -> str:
        """text without the greeting greet(p) may have put in front of it."""
        for g in sorted((render(g, {"p": p}) for g in WORLD["greetings"]), key=len, reverse=True):
            if g and text.startswith(g):
                return text[len(g) :]
        return text

    def json_input(self, txt: str) -> Any:
        """A tool-call request: the agent's prompt as a transcript, or the bare request."""
        if self.r.random() < 0.6:
            return chat(("system", WORLD["tool_system"]), ("user", txt))
        return txt

    def as_transcript(self, msg: str) -> list[dict[str, str]]:
        """Wrap a single chat message the way the chat logs store it (with what came before)."""
        today = iso(self.day(D(2026, 11, 1), D(2026, 12, 8)))
        shapes = WORLD["transcripts"]
        shape = shapes[self.deal("transcript", len(shapes))]
        env = {"msg": msg, "system": WORLD["chat_system"].format(today=today)}
        return chat(*((role, render(text, env)) for role, text in shape))


PRODUCTS: list[list[Any]] = WORLD["products"]

# --------------------------------------------------------------------------------------------
# Scenarios: routines read from data/scenarios/*.toml
# --------------------------------------------------------------------------------------------

# A scenario's result: every key a scenario may set, with its default.
CASE_FIELDS: dict[str, Any] = {
    "input": None,
    "context": None,
    "output": None,
    "expected": None,
    "truth": None,
    "alt": None,  # the bucket a reasonable reviewer might pick instead
    "alt_p": 0.0,  # how likely that is
    "alt_by": None,  # who would (else either reviewer)
    "notes": {},  # bucket -> notes a reviewer might write
    "kind": "",
    "channel": "chat",
    "attachment": "none",
    "policy_edge": "no",
    "user": None,
    "fmt": "text",
    "latency": None,
    "model_bias": None,
    "ticket": None,
}
ROUTINE_KEYS = {"name", "about", "args", "steps", "text", "variant", "returns"}


class Routine:
    """A [[scenario]] (returns a case) or a [[part]] (returns its `returns` expression)."""

    def __init__(self, table: dict[str, Any], where: str, part: bool) -> None:
        self.name: str = table["name"]
        self.part = part
        self.where = f"{where}: {self.name}"
        unknown = set(table) - ROUTINE_KEYS - (set() if part else set(CASE_FIELDS))
        if unknown:
            raise ValueError(f"{self.where}: unknown keys {sorted(unknown)}")
        self.table = table
        self.args: dict[str, Any] = table.get("args", {})
        self.code = self._compile(table.get("steps", ""), self.where)
        self.text: dict[str, Any] = table.get("text", {})
        self.variants = [
            (self._compile(v.get("steps", ""), f"{self.where} variant {i}"), v.get("text", {}))
            for i, v in enumerate(table.get("variant", []))
        ]
        returns = _safe(ast.parse(table.get("returns", "None"), mode="eval"), self.where)
        self.returns: CodeType = compile(returns, self.where, "eval")

    @staticmethod
    def _compile(steps: str, where: str) -> CodeType:
        return compile(_safe(ast.parse(steps), where), where, "exec")


def load_routines() -> dict[str, Routine]:
    routines: dict[str, Routine] = {}
    for path in sorted((DATA / "scenarios").glob("*.toml")):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for key, part in (("scenario", False), ("part", True)):
            for table in data.get(key, []):
                r = Routine(table, path.name, part)
                if r.name in routines:
                    raise ValueError(f"{r.where}: defined twice")
                routines[r.name] = r
    return routines


def _import_time(name: str, *args: Any, **kwargs: Any) -> Any:
    if name != "time":
        raise ImportError(f"no imports in the data ({name})")
    return __import__(name, *args, **kwargs)


class Session:
    """Runs routines against one World; every random draw goes through its rng."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.world = w = World(rng)
        self.routines = load_routines()
        self.namespace: dict[str, Any] = {
            # date.strftime imports the time module through the caller's builtins
            "__builtins__": {"__import__": _import_time},
            # plain Python
            **{f.__name__: f for f in (abs, any, all, int, len, list, max, min, round, str)},
            **{f.__name__: f for f in (sum, tuple, reversed, enumerate, sorted, dict)},
            "D": D,
            "TD": TD,
            "dumps": json.dumps,
            "loads": json.loads,
            # formatting and documents (no randomness)
            **{f.__name__: f for f in (md, mdy, short, wd, iso, usd, biz_days, ascii_fold)},
            **{f.__name__: f for f in (de_date, fr_date, es_date, ja_date)},
            **{f.__name__: f for f in (nick, plural, it, be, pretty, pol, chat)},
            **{f.__name__: f for f in (order_doc, return_doc, email_thread_doc)},
            **{f.__name__: f for f in (cut_off, parses, check)},
            # random draws
            "person": w.person,
            "order_no": w.order,
            "rma_no": w.rma,
            "tracking_no": w.tracking,
            "product": w.product,
            "product_named": w.product_named,
            "day": w.day,
            "deal": w.deal,
            "greet": w.greet,
            "strip_greeting": w.strip_greeting,
            "json_input": w.json_input,
            "choice": rng.choice,
            "randint": rng.randint,
            "randrange": rng.randrange,
            "random": rng.random,
            "sample": rng.sample,
            # the world's lists and phrases, in capitals: PRODUCTS, STREETS, SIGN, ...
            **{k.upper(): v for k, v in WORLD.items()},
        }
        for name in self.routines:
            self.namespace[name] = self._caller(name)

    def _caller(self, name: str) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            return self.run(name, **kwargs)

        return call

    def run(self, name: str, **kwargs: Any) -> Any:
        r = self.routines[name]
        env = dict(self.namespace)
        env.update(r.args)
        env.update(kwargs)
        texts = [r.text]

        def text() -> Text:
            merged: dict[str, Any] = {}
            for t in texts:
                merged.update(t)
            return Text(merged)

        def pick(alternatives: list[str]) -> str:
            # Every alternative is filled (in order) before one is picked, as draws inside the
            # templates (greet) happen for each alternative.
            return self.rng.choice([render(a, env) for a in alternatives])

        def variant(i: int) -> None:
            code, more = r.variants[i]
            texts.append(more)
            env["T"] = text()
            exec(code, env)
            texts.pop()
            env["T"] = text()

        env.update(T=text(), pick=pick, fill=lambda v: fill(v, env), variant=variant)
        try:
            exec(r.code, env)
        except Exception as e:
            raise RuntimeError(f"{r.where}: {type(e).__name__}: {e}") from e
        if r.part:
            return eval(r.returns, env)
        state = self.rng.getstate()
        result = dict(CASE_FIELDS)
        for field in CASE_FIELDS:
            if field in env:
                result[field] = env[field]
            elif field in r.table:
                result[field] = fill(r.table[field], env)
        if self.rng.getstate() != state:
            raise RuntimeError(f"{r.where}: a field template draws at random; use a step")
        return result


# --------------------------------------------------------------------------------------------
# Assembling cases and labels
# --------------------------------------------------------------------------------------------


def text_len(x: Any) -> int:
    if x is None:
        return 0
    if isinstance(x, str):
        return len(x)
    if isinstance(x, list):
        return sum(text_len(m.get("content", "")) + text_len(m.get("text", "")) for m in x)
    return 0


# A case is "long" when the model had to read more than this many characters of input plus
# retrieved context, or the user wrote more than 450 characters, or the transcript has 5+ turns.
LONG_CHARS = 850


def build_case(w: World, s: dict[str, Any], idx: int) -> dict[str, Any]:
    r = w.r
    case: dict[str, Any] = {"id": f"sup-{idx:04d}", "input": s["input"]}
    ctx = s["context"]
    if ctx:
        case["context"] = ctx
    case["output"] = s["output"]
    keep_expected = s["expected"] is not None and r.random() < (0.7 if s["kind"] != "ok" else 0.3)
    if keep_expected:
        case["expected"] = s["expected"]
    if s["channel"] == "chat" and isinstance(s["input"], str) and r.random() < 0.2:
        case["input"] = s["input"] = w.as_transcript(s["input"])
    inp = s["input"]
    total = text_len(inp) + text_len(ctx)
    turns = len(inp) if isinstance(inp, list) else 1
    long_ = total > LONG_CHARS or text_len(inp) > 450 or turns >= 5
    length = "long" if long_ else "short"
    user = s["user"] or ("returning" if r.random() < 0.55 else "new")
    case["slices"] = {
        "length": length,
        "attachment": s["attachment"],
        "user": user,
        "channel": s["channel"],
        "policy_edge": s["policy_edge"],
    }
    # The story the prompt versions tell (plan.toml): v7 invents policies and attachment
    # contents more often, v8 breaks the JSON contract and refuses more often.
    bias = s["model_bias"] or PLAN["kind_bias"].get(s["kind"])
    p_v8 = {"v8": 0.85, "v7": 0.15, None: 0.55}[bias]
    pv = "v8" if r.random() < p_v8 else "v7"
    if pv == "v8":
        model = "support-llm-2026-11" if r.random() < 0.9 else "support-llm-2026-09"
    else:
        model = "support-llm-2026-09" if r.random() < 0.85 else "support-llm-2026-11"
    lat = s["latency"]
    if lat is None:
        base = r.lognormvariate(7.0, 0.4)  # median ~1.1 s
        lat = int(min(2500, max(400, base)))
        if s["channel"] == "email" or length == "long":
            lat = min(2500, lat + r.randint(100, 600))
    meta: dict[str, Any] = {
        "prompt_version": pv,
        "model": model,
        "latency_ms": lat,
        "output_format": s["fmt"],
    }
    ticket = s["ticket"]
    if ticket:
        meta["ticket"] = ticket
    elif r.random() < 0.45:
        meta["ticket"] = f"T-{r.randint(40000, 79999)}"
    case["meta"] = meta
    return case


def pick_disagreements(r: random.Random, scenarios: list[dict[str, Any]]) -> set[int]:
    """Choose which cases the reviewers disagree on.

    Exactly round(sum of alt_p) cases, drawn by weighted sampling without replacement
    (Efraimidis-Spirakis keys), so the overall agreement matches the designed ambiguity
    instead of drifting a few points with the seed, while each case keeps its own odds.
    """
    weights = [(s["alt_p"] if s["alt"] else 0.0) for s in scenarios]
    k = round(sum(weights))
    keyed = sorted(
        ((r.random() ** (1.0 / wt), i) for i, wt in enumerate(weights) if wt > 0), reverse=True
    )
    return {i for _, i in keyed[:k]}


def label_case(
    r: random.Random, s: dict[str, Any], split: bool
) -> tuple[dict[str, str], dict[str, str]]:
    truth, alt = s["truth"], s["alt"]
    labels = {"alice": truth, "bob": truth}
    if alt and split:
        who = s["alt_by"] or r.choice(["alice", "bob"])
        labels[who] = alt
    notes: dict[str, str] = {}
    disagree = labels["alice"] != labels["bob"]
    for who in ("alice", "bob"):
        b = labels[who]
        cands = s["notes"].get(b, [])
        # Bob writes fewer notes than alice; everyone writes more when the case is unclear.
        base = 0.19 if who == "alice" else 0.12
        pn = 0.4 if disagree else base
        if cands and r.random() < pn:
            notes[who] = r.choice(cands)
        else:
            notes[who] = ""
    return ({"alice": labels["alice"], "bob": labels["bob"]}, notes)


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def taxonomy_text() -> str:
    out = [
        "# Failure buckets for the support_assistant sample session.",
        "# Generated by sample_sessions/support_assistant/generate.py from data/buckets.toml.",
        "",
    ]
    for b in BUCKETS:
        out += [
            "[[bucket]]",
            f"key = {toml_str(b['key'])}",
            f"name = {toml_str(b['name'])}",
            f"shortcut = {toml_str(b['shortcut'])}",
            f"description = {toml_str(b['description'])}",
            f"must_pass = {'true' if b['must_pass'] else 'false'}",
            "",
        ]
    return "\n".join(out)


def generate() -> tuple[list[dict[str, Any]], list[tuple[str, str, str, str]]]:
    rng = random.Random(SEED)
    session = Session(rng)
    scenarios: list[dict[str, Any]] = []
    for name, n in PLAN["plan"]:
        for _ in range(n):
            scenarios.append(session.run(name))
    assert len(scenarios) == N_CASES, len(scenarios)
    rng.shuffle(scenarios)
    split = pick_disagreements(rng, scenarios)
    cases, labels = [], []
    for i, s in enumerate(scenarios, start=1):
        case = build_case(session.world, s, i)
        cases.append(case)
        lab, notes = label_case(rng, s, (i - 1) in split)
        for who in ("alice", "bob"):
            labels.append((case["id"], who, lab[who], notes[who]))
    return cases, labels


def render_files() -> dict[str, str]:
    """The three generated files, as text, keyed by file name."""
    cases, labels = generate()
    jsonl = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    buf = io.StringIO()
    wr = csv.writer(buf)  # RFC 4180: CRLF line ends; write the file with newline=""
    wr.writerow(["case_id", "reviewer", "bucket", "note"])
    wr.writerows(labels)
    return {"cases.jsonl": jsonl, "labels.csv": buf.getvalue(), "taxonomy.toml": taxonomy_text()}


# --------------------------------------------------------------------------------------------
# Validation: read the files back from disk, as a user of the session would
# --------------------------------------------------------------------------------------------

SLICE_VALUES = {
    "length": {"short", "long"},
    "attachment": {"none", "image", "pdf", "empty", "blurry"},
    "user": {"new", "returning"},
    "channel": {"chat", "email", "api"},
    "policy_edge": {"yes", "no"},
}
BUCKET_KEYS = [b["key"] for b in BUCKETS]
TEST_CARDS = {c[1].replace(" ", "") for c in WORLD["cards"]}


def validate(folder: Path) -> list[str]:
    """Check the files in folder; print a summary; return a list of problems."""
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(msg)

    # taxonomy.toml
    with open(folder / "taxonomy.toml", "rb") as fb:
        tax = tomllib.load(fb)
    buckets = tax.get("bucket", [])
    keys = [b.get("key") for b in buckets]
    if keys != BUCKET_KEYS:
        bad(f"taxonomy keys {keys}")
    shortcuts = [b.get("shortcut") for b in buckets]
    if shortcuts != [str(i) for i in range(1, 10)]:
        bad(f"taxonomy shortcuts {shortcuts}")
    for b in buckets:
        if set(b) != {"key", "name", "shortcut", "description", "must_pass"}:
            bad(f"bucket {b.get('key')}: fields {sorted(b)}")
        if not isinstance(b.get("must_pass"), bool):
            bad(f"bucket {b.get('key')}: must_pass is not a bool")
        n_sent = len(re.findall(r"[.!?](?:\s|$)", b.get("description", "")))
        if not 2 <= n_sent <= 4:
            bad(f"bucket {b.get('key')}: description has {n_sent} sentences")
    must = sorted(b["key"] for b in buckets if b.get("must_pass"))
    if must != ["broken_format", "unsafe_pii"]:
        bad(f"must_pass buckets {must}")

    # cases.jsonl
    cases: dict[str, dict[str, Any]] = {}
    raw = (folder / "cases.jsonl").read_text(encoding="utf-8")
    for n, line in enumerate(raw.splitlines(), start=1):
        try:
            c = json.loads(line)
        except json.JSONDecodeError as e:
            bad(f"cases.jsonl line {n}: {e}")
            continue
        cid = c.get("id")
        if not isinstance(cid, str) or not re.fullmatch(r"sup-\d{4}", cid):
            bad(f"line {n}: bad id {cid!r}")
            continue
        if cid in cases:
            bad(f"line {n}: duplicate id {cid}")
        cases[cid] = c
        extra = set(c) - {"id", "input", "context", "output", "expected", "slices", "meta"}
        if extra:
            bad(f"{cid}: unknown keys {sorted(extra)}")
        inp = c.get("input")
        if isinstance(inp, list):
            for m in inp:
                if set(m) != {"role", "content"} or m["role"] not in {
                    "user",
                    "assistant",
                    "system",
                }:
                    bad(f"{cid}: bad transcript message {m}")
        elif not isinstance(inp, str) or not inp:
            bad(f"{cid}: input must be a non-empty string or a transcript")
        for d in c.get("context", []):
            if set(d) != {"title", "text", "source"} or not all(
                isinstance(v, str) for v in d.values()
            ):
                bad(f"{cid}: bad context document {d}")
        if "output" not in c or not (c["output"] is None or isinstance(c["output"], str)):
            bad(f"{cid}: output must be a string or null")
        sl = c.get("slices", {})
        if set(sl) != set(SLICE_VALUES) or any(sl[k] not in SLICE_VALUES[k] for k in sl):
            bad(f"{cid}: slices {sl}")
        meta = c.get("meta", {})
        if (
            meta.get("prompt_version") not in {"v7", "v8"}
            or meta.get("model") not in {"support-llm-2026-09", "support-llm-2026-11"}
            or type(meta.get("latency_ms")) is not int
            or meta.get("output_format") not in {"json", "text"}
            or set(meta) - {"prompt_version", "model", "latency_ms", "output_format", "ticket"}
        ):
            bad(f"{cid}: meta {meta}")
        # Everything is invented: only example.com addresses, only test card numbers.
        for addr in re.findall(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)", line):
            if not addr.endswith("example.com"):
                bad(f"{cid}: e-mail domain {addr}")
        for num in re.findall(r"\b\d(?:[ -]?\d){12,18}\b", line):
            if num.replace(" ", "").replace("-", "") not in TEST_CARDS:
                bad(f"{cid}: unexpected long number {num}")
    if len(cases) != N_CASES:
        bad(f"{len(cases)} cases, expected {N_CASES}")

    # labels.csv
    with open(folder / "labels.csv", encoding="utf-8", newline="") as fl:
        rows = list(csv.reader(fl))
    if rows[0] != ["case_id", "reviewer", "bucket", "note"]:
        bad(f"labels.csv header {rows[0]}")
    by_case: dict[str, dict[str, str]] = {}
    notes = 0
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != 4:
            bad(f"labels.csv line {n}: {len(row)} fields")
            continue
        cid, who, bucket, note = row
        if cid not in cases:
            bad(f"labels.csv line {n}: unknown case {cid}")
        if who not in {"alice", "bob"}:
            bad(f"labels.csv line {n}: unknown reviewer {who}")
        if bucket not in BUCKET_KEYS:
            bad(f"labels.csv line {n}: unknown bucket {bucket}")
        if who in by_case.setdefault(cid, {}):
            bad(f"labels.csv line {n}: second label by {who} for {cid}")
        by_case[cid][who] = bucket
        notes += bool(note)
    missing = [cid for cid in cases if set(by_case.get(cid, {})) != {"alice", "bob"}]
    if missing:
        bad(f"cases without both labels: {missing[:5]}")

    # Summary
    vals = list(cases.values())
    agree = sum(1 for v in by_case.values() if v.get("alice") == v.get("bob"))
    pii = [v for v in by_case.values() if "unsafe_pii" in v.values()]
    pii_agree = sum(1 for v in pii if v.get("alice") == v.get("bob"))
    print(
        f"{len(vals)} cases ({sum(isinstance(c['input'], list) for c in vals)} transcripts, "
        f"{sum('context' not in c for c in vals)} without context, "
        f"{sum('expected' in c for c in vals)} with expected, "
        f"{sum(c['output'] in (None, '') for c in vals)} with no output)"
    )
    for name in SLICE_VALUES:
        cnt = Counter(c["slices"][name] for c in vals)
        print(f"  slice {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(cnt.items())))
    print(
        f"{len(rows) - 1} labels, {notes} with a note ({100 * notes / (len(rows) - 1):.0f}%); "
        f"agreement {100 * agree / len(by_case):.1f}% ({agree}/{len(by_case)}); "
        f"unsafe_pii agreement {pii_agree}/{len(pii)}"
    )
    for who in ("alice", "bob"):
        cnt = Counter(v[who] for v in by_case.values() if who in v)
        print(f"  {who:5}: " + ", ".join(f"{k}={cnt.get(k, 0)}" for k in BUCKET_KEYS))
    pairs = Counter(
        tuple(sorted((v["alice"], v["bob"]))) for v in by_case.values() if v["alice"] != v["bob"]
    )
    print("  disagreements: " + ", ".join(f"{a}/{b}={n}" for (a, b), n in pairs.most_common()))
    return problems


def main(argv: list[str]) -> int:
    out = OUT
    if "--out" in argv:
        out = Path(argv[argv.index("--out") + 1])
        out.mkdir(parents=True, exist_ok=True)
    files = render_files()
    if "--check" in argv:
        stale = [n for n, text in files.items() if (out / n).read_bytes() != text.encode()]
        if stale:
            print(f"out of date (rerun generate.py): {', '.join(stale)}")
            return 1
    else:
        for name, text in files.items():
            with open(out / name, "w", encoding="utf-8", newline="") as f:
                f.write(text)
    problems = validate(out)
    for msg in problems:
        print("PROBLEM:", msg)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
